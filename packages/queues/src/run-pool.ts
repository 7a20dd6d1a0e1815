import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { bullPrefix, createRedis } from './connection.js';
import type { QueueName } from './job-catalog.js';
import { createPoolWorker, type PoolHandlers } from './pool-worker.js';

export interface PoolSettings {
  REDIS_URL: string;
  COLDSTART_PREFIX: string;
  POOL_CONCURRENCY: number;
  JOB_LOCK_MS: number;
  STALLED_INTERVAL_MS: number;
}

export interface RunningPool {
  /** Stops taking jobs, waits for the ones in flight, then closes the connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts one pool's BullMQ worker with the house settings and logs every failed job with its
 * reason. `makeHandlers` gets the pool's Redis connection for its own reads and writes (the
 * worker duplicates it for its blocking commands); closing the pool closes it.
 */
export async function runPool<Q extends QueueName>(
  queue: Q,
  settings: PoolSettings,
  logger: Logger,
  makeHandlers: (redis: Redis) => PoolHandlers<Q> | Promise<PoolHandlers<Q>>,
): Promise<RunningPool> {
  const connection = createRedis(settings.REDIS_URL, 'worker');
  const handlers = await makeHandlers(connection);
  const worker = createPoolWorker(queue, handlers, {
    connection,
    prefix: bullPrefix(settings.COLDSTART_PREFIX),
    concurrency: settings.POOL_CONCURRENCY,
    lockDurationMs: settings.JOB_LOCK_MS,
    stalledIntervalMs: settings.STALLED_INTERVAL_MS,
  });
  worker.on('failed', (job, error) => {
    const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError' : true;
    logger[final ? 'error' : 'warn'](
      { stage: queue, jobId: job?.id, job: job?.name, eventId: (job?.data as { eventId?: string } | undefined)?.eventId, attempt: job?.attemptsMade, err: error },
      final ? 'job failed for good' : 'job failed; will retry',
    );
  });
  worker.on('error', (error) => logger.error({ stage: queue, err: error }, 'worker error'));
  worker.run().catch((error: unknown) => logger.fatal({ stage: queue, err: error }, 'worker stopped unexpectedly'));
  logger.info({ stage: queue, concurrency: settings.POOL_CONCURRENCY }, 'pool started');

  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        await worker.close();
        await connection.quit();
      })()),
  };
}
