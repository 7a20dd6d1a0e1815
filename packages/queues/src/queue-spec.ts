import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import { jobIdFor } from './job-ids.js';

/** One job a queue carries: the schema of its input and of its result. */
export interface JobSpec {
  data: z.ZodType;
  result: z.ZodType;
}

export const job = <D extends z.ZodType, R extends z.ZodType>(data: D, result: R) => ({ data, result });

export interface QueuePolicy {
  attempts: number;
  /** First retry delay; doubles each attempt (BullMQ exponential backoff). */
  backoffMs: number;
  /** A job running longer is aborted through its AbortSignal and retried. */
  timeoutMs: number;
}

/**
 * A queue as the pools see it: its name, the jobs it carries and its retry policy. The
 * mechanics here (workers, producers, pools) are generic over it; the pipeline package
 * declares the actual queues (packages/pipeline/src/catalog.ts).
 */
export interface QueueSpec<Jobs extends Record<string, JobSpec> = Record<string, JobSpec>> {
  name: string;
  jobs: Jobs;
  policy: QueuePolicy;
}

export type JobNameOf<S extends QueueSpec> = keyof S['jobs'] & string;
/** What a producer passes (defaults may be left out). */
export type JobInput<S extends QueueSpec, J extends JobNameOf<S>> = z.input<S['jobs'][J]['data']>;
/** What a handler receives: the parsed data. */
export type JobDataOf<S extends QueueSpec, J extends JobNameOf<S>> = z.infer<S['jobs'][J]['data']>;
export type JobResultOf<S extends QueueSpec, J extends JobNameOf<S>> = z.infer<S['jobs'][J]['result']>;

/** Completed jobs stay an hour (re-added duplicates are absorbed meanwhile); failed ones two weeks, for operators. */
const RETENTION = { removeOnComplete: { age: 3_600 }, removeOnFail: { age: 14 * 86_400 } } as const;

/** A job's options from its queue's policy; the id derives from the job's name and what makes it unique. */
export function jobOptions(queue: QueueSpec, jobName: string, key: string): JobsOptions {
  return {
    jobId: jobIdFor(jobName, key),
    attempts: queue.policy.attempts,
    backoff: { type: 'exponential', delay: queue.policy.backoffMs },
    ...RETENTION,
  };
}

/** Data against a job's schema, or the reason it does not fit (first three issues). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
