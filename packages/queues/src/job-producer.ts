import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { bullPrefix } from './connection.js';
import { PermanentError } from './errors.js';
import { jobOptions } from './flows.js';
import { JOB_CATALOG, type JobCatalog, type JobName, type QueueName } from './job-catalog.js';

type DataSchema<Q extends QueueName, J extends JobName<Q>> = JobCatalog[Q][J] extends { data: infer D } ? (D extends z.ZodType ? D : never) : never;
export type JobData<Q extends QueueName, J extends JobName<Q>> = z.input<DataSchema<Q, J>>;

export interface AddJobOptions {
  /**
   * What makes the job unique (an eventId, or e.g. `fanout:<userId>:<window>`): the job id is
   * `jobIdFor(name, key)`, so adding the same key again while the job is kept is absorbed.
   */
  key: string;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
}

export interface JobProducer {
  /** Adds a job outside a flow, with its queue's attempts, backoff and retention. */
  add<Q extends QueueName, J extends JobName<Q>>(queue: Q, name: J, data: JobData<Q, J>, options: AddJobOptions): Promise<void>;
  /** Closes the producer's queues (not the shared connection). Idempotent. */
  close(): Promise<void>;
}

/**
 * Lets a pool's handler start a job on another queue (the index pool a fan-out, the recommend
 * pool a user-vector write) over the pool's own connection. Data is checked against the job
 * catalog before it is added, so a producer's mistake fails the job that made it, with the
 * reason, instead of every attempt of the job it would have added.
 */
export function createJobProducer(connection: Redis, keyPrefix: string): JobProducer {
  const queues = new Map<QueueName, Queue>();
  const queueFor = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) queues.set(name, (queue = new Queue(name, { connection, prefix: bullPrefix(keyPrefix) })));
    return queue;
  };
  return {
    add: async (queue, name, data, options) => {
      const spec = (JOB_CATALOG[queue] as Record<string, { data: z.ZodType } | undefined>)[name];
      if (!spec) throw new PermanentError(`queue ${queue} has no job named "${name}"`);
      const parsed = spec.data.safeParse(data);
      if (!parsed.success) throw new PermanentError(`refusing to add an invalid ${name} job: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
      const delay = Math.max(0, Math.round(options.delayMs ?? 0));
      await queueFor(queue).add(name, parsed.data, { ...jobOptions(queue, name, options.key), ...(delay > 0 ? { delay } : {}) });
    },
    close: async () => {
      const open = [...queues.values()];
      queues.clear();
      await Promise.all(open.map((queue) => queue.close()));
    },
  };
}
