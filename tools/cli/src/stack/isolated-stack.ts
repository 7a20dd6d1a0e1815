import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploymentPrefix } from '@coldstart/config';
import type { CliConfig } from '../config.js';
import { stackDown } from './stack.js';
import { freePort, freePortRange, localClusterUrl } from '@coldstart/testing';
import { stackRedisPid, waitForExit } from './redis-pid.js';

export interface IsolatedStack {
  config: CliConfig;
  /** Every setting the stack's processes were given beyond the config's own. */
  appTuning: Record<string, string>;
  /** Gives the stack's processes started from now on these settings too (recorded in appTuning). */
  tune(settings: Record<string, string>): void;
  /** Stops every process of this stack (its Redis and SQS emulator included) and, unless kept, removes its state. */
  down(options?: { keepState?: boolean }): Promise<void>;
}

/**
 * A stack of the run's own: its own redis-server (AOF on, started by stackUp because nothing
 * answers on the fresh port), SQS emulator, queues, key prefix, ports and state dir. Chaos kills
 * and restarts Redis, which must never happen to the machine's shared Redis, and a run must not
 * mix its events with another stack's.
 */
export async function startIsolatedConfig(base: CliConfig, name: string, appTuning: Record<string, string>, options: { redisCluster?: number } = {}): Promise<IsolatedStack> {
  const stateDir = mkdtempSync(join(tmpdir(), `coldstart-${name}-`));
  const tag = `${name}-${Date.now().toString(36)}`;
  // With redisCluster, stackUp starts a local cluster of that many masters on these ports instead.
  const redisPorts: number[] = [];
  while (redisPorts.length < (options.redisCluster ?? 1)) {
    const port = await freePort();
    if (!redisPorts.includes(port)) redisPorts.push(port);
  }
  const redisUrl = options.redisCluster ? localClusterUrl(redisPorts) : `redis://127.0.0.1:${redisPorts[0]}`;
  const config: CliConfig = {
    ...base,
    REDIS_URL: redisUrl,
    COLDSTART_PREFIX: deploymentPrefix(redisUrl, tag),
    SQS_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    USER_EVENTS_QUEUE: `${tag}-user-events`,
    ITEM_EVENTS_QUEUE: `${tag}-item-events`,
    API_PORT: await freePort(),
    // Six apps and up to 15 further expand processes.
    METRICS_PORT_BASE: await freePortRange(21),
    COLDSTART_STATE_DIR: stateDir,
  };
  // stackUp hands its own environment to the apps it starts (appEnvironment spreads
  // process.env), so this is the one way to give them settings CliConfig has no field for.
  const tuning = { ...appTuning };
  Object.assign(process.env, tuning);
  return {
    config,
    appTuning: tuning,
    tune(settings) {
      Object.assign(tuning, settings);
      Object.assign(process.env, settings);
    },
    async down(options = {}) {
      // Apps, the emulator and a local cluster; not a single redis-server (see stackRedisPid), stopped here.
      await stackDown(config, 10_000);
      const redisPid = stackRedisPid(stateDir);
      if (redisPid !== undefined) {
        process.kill(redisPid, 'SIGTERM');
        await waitForExit(redisPid);
      }
      if (!options.keepState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
