import { sleep } from '@coldstart/runtime';
import { appEntry } from '../repo-paths.js';
import type { CliConfig } from '../config.js';
import { runningPid } from '../stack/process-control.js';
import { waitForExit } from '../stack/redis-pid.js';

/** The processes chaos may kill: every pool and the ingest (the api serves reads and holds no work). */
const KILLABLE = ['ingest', 'worker-index', 'worker-embed', 'worker-expand', 'worker-recommend'] as const;

export interface Kill {
  process: string;
  pid: number;
  /** Ms since the run started. */
  atMs: number;
}

/** The killable processes running now, by name (worker-expand-2… included). */
function runningTargets(config: CliConfig): { name: string; pid: number }[] {
  const names = KILLABLE.flatMap((app) => (app === 'worker-expand' ? Array.from({ length: config.EXPAND_PROCESSES }, (_, i) => (i === 0 ? app : `${app}-${i + 1}`)) : [app]));
  return names.flatMap((name) => {
    const app = name.replace(/-\d+$/, '');
    const pid = runningPid(config.COLDSTART_STATE_DIR, { name, command: process.execPath, args: [appEntry(app)] });
    return pid === undefined ? [] : [{ name, pid }];
  });
}

/**
 * Every `everyMs`, SIGKILLs one random process among the pools and the ingest (no shutdown
 * handler runs: in-flight jobs stay locked, received SQS messages stay invisible) and has
 * `restart` bring it back, until `stop` aborts. Returns the kills made.
 */
export async function killRandomly(
  config: CliConfig,
  everyMs: number,
  restart: () => Promise<void>,
  exclusive: <T>(action: () => Promise<T>) => Promise<T>,
  stop: AbortSignal,
  random: () => number = Math.random,
): Promise<Kill[]> {
  const kills: Kill[] = [];
  const started = Date.now();
  // On a fixed schedule (start + k·everyMs), so the time a restart takes does not stretch the interval.
  for (let k = 1; !stop.aborted; k++) {
    await sleep(Math.max(0, started + k * everyMs - Date.now()), stop).catch(() => undefined);
    if (stop.aborted) break;
    await exclusive(async () => {
      const targets = runningTargets(config);
      const target = targets[Math.floor(random() * targets.length)];
      if (!target) return;
      process.kill(target.pid, 'SIGKILL');
      kills.push({ process: target.name, pid: target.pid, atMs: Date.now() - started });
      await waitForExit(target.pid);
      await restart();
    });
  }
  return kills;
}
