import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EventRef, Id } from '../job-fields.js';

/**
 * One signup as its jobs carry it: everything any stage of the signup flow needs, so a user split
 * off a batch (../per-user.ts) can start a flow of their own from it.
 */
export const Signup = z.object({
  ...EventRef,
  userId: Id,
  /** The signup's interest categories, as given (the ranking normalises them). */
  categories: z.array(z.string()),
  /** Seed items the user named, with their rating if given. */
  seeds: z.array(z.object({ itemId: Id, rating: z.number().int().min(1).max(5).optional() })),
  locale: z.string().optional(),
});
export type Signup = z.infer<typeof Signup>;

/**
 * At most the signups of one ingest batch: 5 SQS receives of 10 (INGEST_RECEIVES_PER_BATCH). Each
 * stage pays its per-job cost (BullMQ's moves and locks, the flow's bookkeeping, about 2 ms of CPU
 * with Redis's share) once per batch instead of once per signup:
 * docs/performance.md#signups-in-batches.
 */
export const MAX_SIGNUPS_PER_JOB = 50;

/** The data of every job of a signup flow: the signups it serves, each with its own eventId. */
export const SignupBatchData = z.object({ signups: z.array(Signup).min(1).max(MAX_SIGNUPS_PER_JOB) });
export type SignupBatchData = z.infer<typeof SignupBatchData>;

export function seedItemIds(signup: Pick<Signup, 'seeds'>): string[] {
  return signup.seeds.map((seed) => seed.itemId);
}

/**
 * What a signup flow's job ids derive from. A flow of one signup is keyed by its eventId, as every
 * event's flow is; a batch by its eventIds, so the same batch added twice (a crash between adding
 * it and remembering its events) is absorbed. The same signup in two different batches (SQS
 * regrouped the messages after such a crash) is processed twice and written once: every write of
 * the flow is idempotent per signup eventId (the list store, the behaviour log, the user-vector log).
 */
export function signupBatchKey(signups: readonly Pick<Signup, 'eventId'>[]): string {
  const [only] = signups;
  if (signups.length === 1 && only) return only.eventId;
  const ids = signups.map((signup) => signup.eventId).sort();
  return `signups:${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 40)}`;
}
