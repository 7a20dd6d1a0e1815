import type { Job, Queue } from 'bullmq';
import type { RedisClient } from '@coldstart/config';
import { counter, gauge, histogram, LATENCY_BUCKETS } from '@coldstart/runtime';

/**
 * The pools' metrics, shared by every pool in a process (a test may run several). Names and
 * labels are part of the operations contract (docs/operations.md, "Metrics, health and the dashboard").
 */
export function poolMetrics() {
  return {
    processing: histogram({
      name: 'coldstart_job_processing_seconds',
      help: 'Time a job spent in its handler (one attempt), by queue and job name.',
      labelNames: ['queue', 'job'] as const,
      buckets: LATENCY_BUCKETS,
    }),
    queued: histogram({
      name: 'coldstart_job_queued_seconds',
      help: 'Time a job waited from ready (added, or its children done) to picked up, first attempts only.',
      labelNames: ['queue', 'job'] as const,
      buckets: [...LATENCY_BUCKETS, 120, 300, 900],
    }),
    outcomes: counter({
      name: 'coldstart_jobs_total',
      help: 'Job attempts by outcome: completed, failed (for good), retried (failed, will retry), stalled (worker lost).',
      labelNames: ['queue', 'job', 'outcome'] as const,
    }),
  };
}

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'waiting-children'] as const;

/** A queue whose depth this process reports (each of its partitions), with the connection to read it on. */
interface DepthSource {
  queues: readonly Queue[];
  redis: RedisClient;
}

const depthSources = new Map<string, DepthSource>();
const SCRAPE_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * When a job became ready to run: when it was added, or, for a flow parent, when its last child
 * finished (BullMQ moves it from waiting-children to wait then, keeping the add time).
 * `childrenValues` is the job's `getChildrenValues()`, for a caller that reads them anyway.
 */
export async function readyAt(job: Job, redis: RedisClient, childrenValues: Promise<Record<string, unknown>> = job.getChildrenValues()): Promise<number> {
  const childKeys = Object.keys(await childrenValues);
  if (childKeys.length === 0) return job.timestamp;
  const pipeline = redis.pipeline();
  for (const key of childKeys) pipeline.hget(key, 'finishedOn');
  const finished = ((await pipeline.exec()) ?? []).map(([, value]) => Number(value ?? 0)).filter(Number.isFinite);
  return Math.max(job.timestamp, ...finished);
}

/**
 * Reports a queue's depth per state and the age of its oldest waiting job on every scrape, over
 * all its partitions (`partitions`: the same queue under each partition's prefix; the counts
 * summed, the oldest the oldest of any): BullMQ's counts, one round trip a partition; the oldest
 * job, one more. Every process of a pool reports its own queue, so aggregate with max(), not sum().
 */
export function reportQueueDepth(partitions: readonly Queue[], redis: RedisClient): () => void {
  const name = partitions[0]?.name;
  if (name === undefined || partitions.some((queue) => queue.name !== name)) throw new Error('reportQueueDepth takes the partitions of one queue');
  const source = { queues: partitions, redis };
  depthSources.set(name, source);
  gauge({
    name: 'coldstart_queue_jobs',
    help: 'Jobs in a queue by state (waiting, active, delayed, failed, waiting-children), over its partitions, read from Redis on scrape.',
    labelNames: ['queue', 'state'] as const,
    async collect() {
      this.reset();
      await Promise.all(
        [...depthSources].map(async ([queue, { queues }]) => {
          const counts = await withTimeout(Promise.all(queues.map((q) => q.getJobCounts(...QUEUE_STATES))), SCRAPE_TIMEOUT_MS).catch(() => undefined);
          if (!counts) return;
          for (const state of QUEUE_STATES) this.set({ queue, state }, counts.reduce((sum, partition) => sum + (partition[state] ?? 0), 0));
        }),
      );
    },
  });
  gauge({
    name: 'coldstart_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting in a queue (any partition) since it became ready; 0 when none waits.',
    labelNames: ['queue'] as const,
    async collect() {
      this.reset();
      await Promise.all(
        [...depthSources].map(async ([queue, { queues, redis: r }]) => {
          const oldestAge = async (q: Queue) => {
            const [oldest] = await q.getJobs(['wait'], 0, 0, true);
            return oldest ? Math.max(0, (Date.now() - (await readyAt(oldest, r))) / 1000) : 0;
          };
          const ages = await withTimeout(Promise.all(queues.map(oldestAge)), SCRAPE_TIMEOUT_MS).catch(() => undefined);
          if (ages) this.set({ queue }, Math.max(...ages));
        }),
      );
    },
  });
  return () => {
    if (depthSources.get(name) === source) depthSources.delete(name);
  };
}

/** Job ids are `<job name>-<40 hex>` (jobIdFor); a stalled event carries only the id. */
export function jobNameFromId(jobId: string): string {
  return /^(.+)-[0-9a-f]{40}$/.exec(jobId)?.[1] ?? 'unknown';
}
