import { DelayedError, RateLimitError } from 'bullmq';
import { isPermanentError, type JobContext } from '@coldstart/queues';
import { counter } from '@coldstart/runtime';
import type { Hops } from './graph.js';
import type { Signup } from './signup/jobs.js';

const splits = () =>
  counter({ name: 'coldstart_batch_splits_total', help: 'Entries of a batch job (signups, user vectors) that failed while others did not, handed to a job or flow of their own.', labelNames: ['job'] });

/** "Not now" for the whole job (JobContext.rateLimit, retryLater): the job goes back without using an attempt. */
function isQueueSignal(error: unknown): boolean {
  return error instanceof DelayedError || error instanceof RateLimitError || (error instanceof Error && (error.name === 'DelayedError' || error.name === 'RateLimitError'));
}

/**
 * Runs a batch job's work for each of its entries (the signups of a signup flow, the users of a
 * user-vector batch) so that one entry's failure is its own, not the batch's:
 *
 * - every entry done: their results;
 * - some failed: each failed entry is handed to `splitOff` (a job or flow of its own, whose
 *   retries, waits and failure concern it alone) and the results of the rest are returned;
 * - a batch of one, or every entry failed and none for good (a shared cause: the index still
 *   empty, Redis away): the first error is thrown, so the job is retried as any job is;
 * - an entry asked the queue to wait (rate limited, over a budget): that is thrown, and the
 *   whole job waits (the done entries repeat their work from caches when it runs again).
 *
 * `work` runs for every entry concurrently; `splitOff` runs only after all have settled.
 */
export async function settleEach<T, R>(
  /** The batch job's name, for the split counter. */
  job: string,
  entries: readonly T[],
  work: (entry: T) => Promise<R>,
  splitOff: (entry: T, error: unknown) => Promise<void>,
): Promise<{ entry: T; result: R }[]> {
  const settled = await Promise.allSettled(entries.map(work));
  const done: { entry: T; result: R }[] = [];
  const failed: { entry: T; error: unknown }[] = [];
  settled.forEach((outcome, i) => {
    const entry = entries[i] as T;
    if (outcome.status === 'fulfilled') done.push({ entry, result: outcome.value });
    else failed.push({ entry, error: outcome.reason });
  });
  const [first] = failed;
  if (!first) return done;
  const signal = failed.find((f) => isQueueSignal(f.error));
  if (signal) throw signal.error;
  if (entries.length === 1 || (done.length === 0 && !failed.some((f) => isPermanentError(f.error)))) throw first.error;
  for (const { entry, error } of failed) {
    await splitOff(entry, error);
    splits().inc({ job });
  }
  return done;
}

/** A signup batch stage's `splitOff`: the signup goes on in a flow of its own, and the job's log says what failed. */
export function signupGoesOnAlone(context: Pick<JobContext, 'logger'>, signupAlone: Hops['signupAlone'], failed: string): (signup: Signup, error: unknown) => Promise<void> {
  return async (signup, error) => {
    context.logger.warn({ userId: signup.userId, eventId: signup.eventId, err: error }, `${failed} failed; the signup goes on in a flow of its own`);
    await signupAlone(signup);
  };
}
