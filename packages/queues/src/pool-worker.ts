import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient } from '@coldstart/config';
import { pino, type Logger } from 'pino';
import type { z } from 'zod';
import { isPermanentError, JobTimeoutError } from './errors.js';
import { poolMetrics, readyAt } from './pool-metrics.js';
import { describeIssues, type JobDataOf, type JobNameOf, type JobResultOf, type QueueSpec } from './queue-spec.js';

export interface JobContext {
  job: Job;
  /** Aborted when the job outlives its queue's timeout or the worker is closing for good. */
  signal: AbortSignal;
  /** The validated results of this job's children in a flow (one per child), or of those on queue `from` only. */
  childResults<S extends z.ZodType>(schema: S, from?: string): Promise<z.infer<S>[]>;
  /**
   * The pool's logger bound to this job: { stage, jobId, job, eventId, userId | itemId }. Made on
   * first read (a pino child costs about 3 % of a small pool's CPU), so a handler reads
   * `context.logger` where it writes a line instead of destructuring it from the context.
   */
  logger: Logger;
  /**
   * Pauses the whole queue (every process) for `ms`, for a dependency that said "slow down"
   * (HTTP 429 with Retry-After). Returns the error the handler must throw: the job goes back to
   * wait without using an attempt.
   */
  rateLimit(ms: number): Promise<Error>;
  /**
   * Puts only this job back for `ms` (e.g. its request is over a budget), leaving the queue
   * running. Returns the error the handler must throw; the job does not use an attempt. Asked
   * again in the same attempt (several entries of a batch job), it returns the same error.
   */
  retryLater(ms: number): Promise<Error>;
}

/** One handler per job of the queue, keyed by its spec: a missing one is a compile error. */
export type PoolHandlers<S extends QueueSpec> = {
  [J in JobNameOf<S>]: (data: JobDataOf<S, J>, context: JobContext) => Promise<JobResultOf<S, J>>;
};

export interface PoolWorkerOptions {
  connection: RedisClient;
  prefix: string;
  concurrency: number;
  /** How long a job's lock lasts without renewal; a killed worker's jobs are retried after it lapses. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Beyond this many stalls (worker killed mid-job) a job fails instead of looping forever. */
  maxStalledCount?: number;
  /** Parent of every job's logger (`JobContext.logger`); silent when omitted. */
  logger?: Logger;
  /** At most `max` jobs start per `durationMs`, across every worker of the queue (BullMQ's limiter). */
  limiter?: { max: number; durationMs: number };
  /** Pauses the queue for everyone (`Queue.rateLimit`); `JobContext.rateLimit` calls it. */
  pauseQueue?: (ms: number) => Promise<void>;
}

/** What every job-related log line carries, so one event can be followed through the pools. */
export function jobLogBindings(queue: string, job: Pick<Job, 'id' | 'name' | 'data'> | undefined): Record<string, unknown> {
  const data = (job?.data ?? {}) as { eventId?: unknown; userId?: unknown; itemId?: unknown; item?: { itemId?: unknown } };
  const bindings: Record<string, unknown> = { stage: queue, jobId: job?.id, job: job?.name };
  if (typeof data.eventId === 'string') bindings.eventId = data.eventId;
  if (typeof data.userId === 'string') bindings.userId = data.userId;
  const itemId = data.itemId ?? data.item?.itemId;
  if (typeof itemId === 'string') bindings.itemId = itemId;
  return bindings;
}

async function readChildResults<S extends z.ZodType>(childrenValues: Promise<Record<string, unknown>>, schema: S, from: string | undefined): Promise<z.infer<S>[]> {
  // Keys are `<prefix>:<queue>:<jobId>`; job ids hold no colon (job-ids.ts).
  const entries = Object.entries(await childrenValues);
  const values = entries.filter(([key]) => from === undefined || key.split(':').at(-2) === from).map(([, value]) => value);
  return values.map((value) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new UnrecoverableError(`child result does not match the job catalog: ${describeIssues(parsed.error)}`);
    return parsed.data;
  });
}

function raceTimeout<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A BullMQ worker for one pool. Job data is validated against the catalog (invalid data fails
 * the job for good), handlers get an AbortSignal that fires on the queue's timeout, and
 * permanent errors become UnrecoverableError so they are not retried.
 */
export function createPoolWorker<S extends QueueSpec>(spec: S, handlers: PoolHandlers<S>, options: PoolWorkerOptions): Worker {
  const { name: queue, policy } = spec;
  const jobs: Partial<Record<string, { data: z.ZodType }>> = spec.jobs;
  const { timeoutMs } = policy;
  const parentLogger = options.logger ?? pino({ level: 'silent' });
  const metrics = poolMetrics();
  const observeQueued = (job: Job, childrenValues: () => Promise<Record<string, unknown>>) => {
    // First attempts only: a retry's wait is its backoff, not queueing. Off the job's path.
    if ((job.attemptsStarted ?? 1) > 1 || !job.processedOn) return;
    const processedOn = job.processedOn;
    readyAt(job, options.connection, childrenValues()).then(
      (ready) => metrics.queued.observe({ queue, job: job.name }, Math.max(0, processedOn - ready) / 1000),
      () => undefined,
    );
  };
  const processor = async (job: Job, token?: string, workerSignal?: AbortSignal): Promise<unknown> => {
    const jobSpec = jobs[job.name];
    const handler = (handlers as Record<string, ((data: unknown, context: JobContext) => Promise<unknown>) | undefined>)[job.name];
    if (!jobSpec || !handler) throw new UnrecoverableError(`queue ${queue} has no job named "${job.name}"`);
    const parsed = jobSpec.data.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${job.name} data: ${describeIssues(parsed.error)}`);

    // One controller aborted by the queue's timeout or by the worker, not AbortSignal.timeout
    // joined to the worker's signal with AbortSignal.any: that pair costs a timer signal and a
    // composite one (weakly tracked until collected) for every job.
    const aborter = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      aborter.abort(new JobTimeoutError(timeoutMs));
    }, timeoutMs).unref();
    const onWorkerAbort = () => aborter.abort(workerSignal?.reason);
    if (workerSignal?.aborted) onWorkerAbort();
    else workerSignal?.addEventListener('abort', onWorkerAbort, { once: true });
    const { signal } = aborter;
    // Made on first use: most jobs log nothing, and a pino child costs its bindings' serialisation.
    let logger: Logger | undefined;
    // Read once for both the queued-time metric and the handler's childResults.
    let children: Promise<Record<string, unknown>> | undefined;
    const childrenValues = () => (children ??= job.getChildrenValues());
    let delayed: Promise<Error> | undefined;
    const context: JobContext = {
      job,
      signal,
      get logger() {
        return (logger ??= parentLogger.child(jobLogBindings(queue, job)));
      },
      childResults: (schema, from) => readChildResults(childrenValues(), schema, from),
      rateLimit: async (ms) => {
        if (!options.pauseQueue) throw new Error(`the ${queue} pool cannot pause its queue: no pauseQueue was given`);
        await options.pauseQueue(ms);
        return Worker.RateLimitError();
      },
      // Once per attempt: a batch job's entries may each ask (settle-each.ts), and a job can be
      // moved to delayed only once; the first asker's wait stands.
      retryLater: (ms) =>
        (delayed ??= job.moveToDelayed(Date.now() + ms, token).then(() => new DelayedError())),
    };
    observeQueued(job, childrenValues);
    const stopTimer = metrics.processing.startTimer({ queue, job: job.name });
    try {
      return await raceTimeout(handler(parsed.data, context), signal);
    } catch (error) {
      if (timedOut) throw new JobTimeoutError(timeoutMs);
      if (isPermanentError(error) && !(error instanceof UnrecoverableError)) {
        throw new UnrecoverableError(`${(error as Error).name}: ${(error as Error).message}`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      workerSignal?.removeEventListener('abort', onWorkerAbort);
      stopTimer();
    }
  };
  return new Worker(queue, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 15_000,
    maxStalledCount: options.maxStalledCount ?? 5,
    ...(options.limiter ? { limiter: { max: options.limiter.max, duration: options.limiter.durationMs } } : {}),
    autorun: false,
  });
}
