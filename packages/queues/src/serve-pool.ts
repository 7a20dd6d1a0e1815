import type { RedisClient } from '@coldstart/config';
import type { Logger } from 'pino';
import { collectProcessMetrics, installShutdown, startHealthServer, type Check } from '@coldstart/runtime';
import type { PoolHandlers } from './pool-worker.js';
import type { QueueSpec } from './queue-spec.js';
import { runPool, type PoolOptions, type PoolSettings, type RunningPool } from './run-pool.js';

export interface PoolProcessSettings extends PoolSettings {
  METRICS_PORT: number;
  METRICS_HOST: string;
  SHUTDOWN_DEADLINE_MS: number;
}

export interface PoolReadiness {
  /** Adds a readiness check of the pool's own (e.g. "the replica has replayed the log"). */
  add(check: () => Promise<Check>): void;
}

/**
 * Runs one pool as this process: the health and metrics server first, so probes answer while
 * the handlers load (an encoder, a replica), then the pool, then graceful shutdown on SIGTERM.
 * `/readyz` stays 503 until the pool runs and every added check passes.
 */
export async function servePool<S extends QueueSpec>(
  queue: S,
  settings: PoolProcessSettings,
  logger: Logger,
  /** `redis`: the data connection; `jobs`: BullMQ's, for adding jobs (run-pool.ts says why two). */
  makeHandlers: (redis: RedisClient, readiness: PoolReadiness, jobs: RedisClient) => PoolHandlers<S> | Promise<PoolHandlers<S>>,
  options: PoolOptions = {},
): Promise<void> {
  collectProcessMetrics();
  const checks: (() => Promise<Check>)[] = [];
  let pool: RunningPool | undefined;
  const health = await startHealthServer({
    port: settings.METRICS_PORT,
    host: settings.METRICS_HOST,
    logger,
    ready: async () =>
      pool ? [...(await pool.ready()), ...(await Promise.all(checks.map((c) => c())))] : [{ name: 'pool', ok: false, detail: 'starting' }],
  });
  const running = (pool = await runPool(queue, settings, logger, (redis, jobs) => makeHandlers(redis, { add: (c) => checks.push(c) }, jobs), options));
  installShutdown({ logger, deadlineMs: settings.SHUTDOWN_DEADLINE_MS, health, close: () => running.close() });
}
