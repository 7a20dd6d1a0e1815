import type { CliConfig } from '../config.js';
import { stackRedisPid, waitForExit } from '../stack/redis-pid.js';

export interface RedisRestart {
  /** SIGKILL: a crash, not a shutdown; Redis writes nothing more, so AOF's everysec fsync may lose the last second. */
  signal: 'SIGKILL';
  appendfsync: 'everysec';
  /** Ms since the run started. */
  atMs: number;
  /** From the kill until Redis answered again, its AOF loaded. */
  downMs: number;
}

/**
 * Kills the stack's own redis-server with SIGKILL and has `restart` (stackUp) start it again on
 * its AOF. A crash rather than SHUTDOWN: SHUTDOWN fsyncs the AOF first and so would test nothing
 * the pools' reconnects do not; a crash is what can lose acknowledged writes.
 */
export async function restartRedis(config: CliConfig, restart: () => Promise<void>, runStarted: number): Promise<RedisRestart> {
  const pid = stackRedisPid(config.COLDSTART_STATE_DIR);
  if (pid === undefined) throw new Error(`no redis-server of this stack is running (pid file in ${config.COLDSTART_STATE_DIR}/run)`);
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  await waitForExit(pid);
  await restart();
  return { signal: 'SIGKILL', appendfsync: 'everysec', atMs: killedAt - runStarted, downMs: Date.now() - killedAt };
}
