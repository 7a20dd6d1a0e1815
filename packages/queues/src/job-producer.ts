import type { Queue } from 'bullmq';
import type { RedisClient } from '@coldstart/config';
import type { z } from 'zod';
import { PermanentError } from './errors.js';
import type { QueuePartitions } from './queue-partitions.js';
import { describeIssues, jobOptions, type JobInput, type JobNameOf, type QueueSpec } from './queue-spec.js';

export interface AddJobOptions {
  /**
   * What makes the job unique (an eventId, or e.g. `fanout:<userId>:<window>`): the job id is
   * `jobIdFor(name, key)`, so adding the same key again while the job is kept is absorbed.
   */
  key: string;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
}

export interface JobProducer<Queues extends Record<string, QueueSpec>> {
  /** Adds a job outside a flow, with its queue's attempts, backoff and retention. */
  add<Q extends keyof Queues & string, J extends JobNameOf<Queues[Q]>>(queue: Q, name: J, data: JobInput<Queues[Q], J>, options: AddJobOptions): Promise<void>;
  /** Closes the producer's queues (not the shared connection). Idempotent. */
  close(): Promise<void>;
}

/**
 * Lets a pool's handler start a job on another queue (the index pool a fan-out, the recommend
 * pool a user-vector write) over the pool's own connection. Data is checked against the job
 * catalog before it is added, so a producer's mistake fails the job that made it, with the
 * reason, instead of every attempt of the job it would have added. Each job goes to the queue
 * partition its id picks.
 */
export function createJobProducer<Queues extends Record<string, QueueSpec>>(specs: Queues, connection: RedisClient, partitions: QueuePartitions): JobProducer<Queues> {
  const queues = new Map<string, Queue[]>();
  const queueFor = (name: string, jobId: string) => {
    let partitioned = queues.get(name);
    if (!partitioned) queues.set(name, (partitioned = partitions.queues(name, connection)));
    return partitioned[partitions.partitionOf(jobId)]!;
  };
  return {
    add: async (queue, name, data, options) => {
      const spec = specs[queue];
      const jobSpec = spec ? (spec.jobs as Partial<Record<string, { data: z.ZodType }>>)[name] : undefined;
      if (!spec || !jobSpec) throw new PermanentError(`queue ${queue} has no job named "${name}"`);
      const parsed = jobSpec.data.safeParse(data);
      if (!parsed.success) throw new PermanentError(`refusing to add an invalid ${name} job: ${describeIssues(parsed.error)}`);
      const delay = Math.max(0, Math.round(options.delayMs ?? 0));
      const jobOpts = jobOptions(spec, name, options.key);
      await queueFor(spec.name, jobOpts.jobId!).add(name, parsed.data, { ...jobOpts, ...(delay > 0 ? { delay } : {}) });
    },
    close: async () => {
      const open = [...queues.values()].flat();
      queues.clear();
      await Promise.all(open.map((queue) => queue.close()));
    },
  };
}
