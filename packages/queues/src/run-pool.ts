import type { RedisClient } from '@coldstart/config';
import type { Logger } from 'pino';
import { check, type Check } from '@coldstart/runtime';
import { createRedis } from './connection.js';
import { jobNameFromId, poolMetrics, reportQueueDepth } from './pool-metrics.js';
import { createPoolWorker, jobLogBindings, type PoolHandlers } from './pool-worker.js';
import { QueuePartitions } from './queue-partitions.js';
import type { QueueSpec } from './queue-spec.js';

export interface PoolSettings {
  REDIS_URL: string;
  COLDSTART_PREFIX: string;
  QUEUE_PARTITIONS: number;
  POOL_CONCURRENCY: number;
  JOB_LOCK_MS: number;
  STALLED_INTERVAL_MS: number;
}

export interface PoolOptions {
  /** At most `max` jobs start per `durationMs` across the queue's processes (e.g. to spare an LLM server). */
  limiter?: { max: number; durationMs: number };
}

export interface RunningPool {
  /** Readiness: RedisClient answers and every worker is running. */
  ready(): Promise<Check[]>;
  /** Stops taking jobs, waits for the ones in flight, then closes the connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts one pool's BullMQ workers (one per queue partition) with the house settings and logs
 * every failed job with its reason. The pool has two Redis connections, both closed with it:
 * `makeHandlers` gets the data connection for its stores' reads and writes (auto-pipelined), and
 * `jobs`, BullMQ's, for adding jobs (hops); the workers use `jobs` and duplicate it for their
 * blocking commands. BullMQ defines its 64 scripts on the connection it uses, and every
 * auto-pipelined batch (an ioredis Pipeline) copies the scripts of its connection: 20 µs on
 * BullMQ's against 2 on a connection without them, so the data connection is kept free of them
 * and BullMQ's sends each command as it comes. The pool's metrics (job outcomes and latencies,
 * its queue's depth over every partition) go to the default registry.
 */
export async function runPool<S extends QueueSpec>(
  spec: S,
  settings: PoolSettings,
  logger: Logger,
  makeHandlers: (redis: RedisClient, jobs: RedisClient) => PoolHandlers<S> | Promise<PoolHandlers<S>>,
  options: PoolOptions = {},
): Promise<RunningPool> {
  const queue = spec.name;
  const data = createRedis(settings.REDIS_URL, 'worker', logger);
  const connection = createRedis(settings.REDIS_URL, 'worker', logger, { autoPipelining: false });
  const handlers = await makeHandlers(data, connection);
  // A worker on each queue partition (queue-partitions.ts), sharing the process's concurrency:
  // each runs its share of POOL_CONCURRENCY jobs at once, at least one.
  const partitions = QueuePartitions.of(settings);
  const concurrency = Math.max(1, Math.round(settings.POOL_CONCURRENCY / partitions.count));
  // The pool's own queue in each partition: its depth on scrape, and the pause of JobContext.rateLimit.
  const queues = partitions.queues(queue, connection);
  const pauseQueue = async (ms: number) => {
    await Promise.all(queues.map((q) => q.rateLimit(ms)));
  };
  const workers = partitions.prefixes.map((prefix) =>
    createPoolWorker(spec, handlers, {
      connection,
      prefix,
      concurrency,
      lockDurationMs: settings.JOB_LOCK_MS,
      stalledIntervalMs: settings.STALLED_INTERVAL_MS,
      logger,
      ...(options.limiter ? { limiter: options.limiter } : {}),
      pauseQueue,
    }),
  );
  const { outcomes } = poolMetrics();
  const stopDepth = reportQueueDepth(queues, connection);

  for (const worker of workers) {
    worker.on('completed', (job) => outcomes.inc({ queue, job: job.name, outcome: 'completed' }));
    worker.on('failed', (job, error) => {
      const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError' : true;
      outcomes.inc({ queue, job: job?.name ?? 'unknown', outcome: final ? 'failed' : 'retried' });
      logger[final ? 'error' : 'warn'](
        { ...jobLogBindings(queue, job), attempt: job?.attemptsMade, err: error },
        final ? 'job failed for good' : 'job failed; will retry',
      );
    });
    worker.on('stalled', (jobId) => {
      outcomes.inc({ queue, job: jobNameFromId(jobId), outcome: 'stalled' });
      logger.warn({ stage: queue, jobId, job: jobNameFromId(jobId) }, 'job stalled (its worker stopped renewing the lock); moved back to wait');
    });
    worker.on('error', (error) => logger.error({ stage: queue, err: error }, 'worker error'));
    worker.run().catch((error: unknown) => logger.fatal({ stage: queue, err: error }, 'worker stopped unexpectedly'));
  }
  logger.info({ stage: queue, concurrency: concurrency * partitions.count, ...(partitions.count > 1 ? { partitions: partitions.count } : {}) }, 'pool started');

  let closing: Promise<void> | undefined;
  return {
    ready: async () => [
      await check('redis', () => data.ping()),
      { name: 'worker', ok: workers.every((worker) => worker.isRunning()) && !closing, ...(closing ? { detail: 'closing' } : {}) },
    ],
    close: () =>
      (closing ??= (async () => {
        await Promise.all(workers.map((worker) => worker.close()));
        stopDepth();
        await Promise.all(queues.map((q) => q.close()));
        await Promise.all([connection.quit(), data.quit()]);
      })()),
  };
}
