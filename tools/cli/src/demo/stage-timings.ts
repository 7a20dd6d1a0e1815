import type { Job, Queue } from 'bullmq';
import type { RedisClient } from '@coldstart/config';
import { signupBatchKey, type QueueName } from '@coldstart/pipeline';
import { jobIdFor, type QueuePartitions } from '@coldstart/queues';
import { percentile } from '@coldstart/runtime';

export interface StageTiming {
  stage: string;
  jobs: number;
  /** Ready to run (children done) → picked up by a worker. */
  queuedMeanMs: number;
  queuedP95Ms: number;
  /** Picked up → finished. */
  workMeanMs: number;
  workP95Ms: number;
}

interface StageSpec {
  queue: QueueName;
  job: string;
  /** The stage's jobs carry signup batches (`data.signups`), keyed by their eventIds together, not one event each. */
  batches?: boolean;
  /** The child whose completion makes this job ready; leaf jobs are ready when added. */
  after?: { queue: QueueName; job: string };
}

const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

export const USER_STAGES: StageSpec[] = [
  { queue: 'expand', job: 'expand-topics', batches: true },
  { queue: 'embed', job: 'embed-topics', after: { queue: 'expand', job: 'expand-topics' }, batches: true },
  { queue: 'recommend', job: 'recommend-user', after: { queue: 'embed', job: 'embed-topics' }, batches: true },
];
export const ITEM_STAGES: StageSpec[] = [
  { queue: 'embed', job: 'embed-item' },
  { queue: 'index', job: 'upsert-item', after: { queue: 'embed', job: 'embed-item' } },
];

/**
 * Where each stage's time went for a set of events, read from the BullMQ jobs themselves
 * (completed jobs are kept for an hour). A stage of signup batches counts each batch job once:
 * its jobs are found among the stage's completed jobs by the signups they carry.
 */
export async function stageTimings(redis: RedisClient, partitions: QueuePartitions, eventIds: readonly string[], stages: StageSpec[]): Promise<StageTiming[]> {
  const queues = new Map<QueueName, Queue[]>();
  /** The queue in every partition: a flow's jobs live in its root's partition, not their own id's, so they are looked for in each. */
  const inEveryPartition = (name: QueueName) => {
    let partitioned = queues.get(name);
    if (!partitioned) queues.set(name, (partitioned = partitions.queues(name, redis)));
    return partitioned;
  };
  /** The keys the jobs of the events are under: each event's id, or the batches that carried them. */
  const keysOf = async (spec: StageSpec): Promise<string[]> => {
    if (!spec.batches) return [...eventIds];
    const wanted = new Set(eventIds);
    const completed = (await Promise.all(inEveryPartition(spec.queue).map((q) => q.getJobs(['completed'])))).flat();
    const keys = completed
      .filter((job) => job.name === spec.job)
      .map((job) => (job.data as { signups?: { eventId: string }[] }).signups ?? [])
      .filter((signups) => signups.some((signup) => wanted.has(signup.eventId)))
      .map((signups) => signupBatchKey(signups));
    return [...new Set(keys)];
  };
  const fetch = async (name: QueueName, job: string, keys: readonly string[]) => {
    const inAnyPartition = async (id: string) => {
      for (const q of inEveryPartition(name)) {
        const found = await q.getJob(id);
        if (found) return found;
      }
      return undefined;
    };
    const jobs = await Promise.all(keys.map((key) => inAnyPartition(jobIdFor(job, key))));
    return new Map(keys.map((key, i) => [key, jobs[i]] as [string, Job | undefined]));
  };
  try {
    const timings: StageTiming[] = [];
    for (const spec of stages) {
      const keys = await keysOf(spec);
      const jobs = await fetch(spec.queue, spec.job, keys);
      const before = spec.after ? await fetch(spec.after.queue, spec.after.job, keys) : undefined;
      const queued: number[] = [];
      const work: number[] = [];
      for (const [key, job] of jobs) {
        if (!job?.processedOn || !job.finishedOn) continue;
        const readyAt = Math.max(job.timestamp, before?.get(key)?.finishedOn ?? 0);
        queued.push(Math.max(0, job.processedOn - readyAt));
        work.push(job.finishedOn - job.processedOn);
      }
      timings.push({
        stage: `${spec.queue}/${spec.job}`,
        jobs: work.length,
        queuedMeanMs: Math.round(mean(queued)),
        queuedP95Ms: percentile(queued.sort((a, b) => a - b), 95) ?? 0,
        workMeanMs: Math.round(mean(work) * 10) / 10,
        workP95Ms: percentile(work.sort((a, b) => a - b), 95) ?? 0,
      });
    }
    return timings;
  } finally {
    await Promise.all([...queues.values()].flat().map((q) => q.close()));
  }
}
