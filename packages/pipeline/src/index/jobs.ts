import { z } from 'zod';
import { EncodedVector, EventRef, Id } from '../job-fields.js';
import { MAX_SIGNUPS_PER_JOB } from '../signup/jobs.js';

export const CatalogItem = z.object({
  itemId: Id,
  title: z.string().min(1),
  authors: z.array(z.string()),
  categories: z.array(z.string()),
});
export type CatalogItem = z.infer<typeof CatalogItem>;

export const UpsertItemData = z.object({ ...EventRef, item: CatalogItem });
export type UpsertItemData = z.infer<typeof UpsertItemData>;

export const DeleteItemData = z.object({ ...EventRef, itemId: Id });
export type DeleteItemData = z.infer<typeof DeleteItemData>;

export const IndexOutcome = z.object({
  itemId: Id,
  /** `stale`: a newer mutation of the same item was already applied, so this one was skipped. */
  outcome: z.enum(['applied', 'stale']),
  walIds: z.array(z.string()),
  listsUpdated: z.number().int().nonnegative(),
});
export type IndexOutcome = z.infer<typeof IndexOutcome>;

export const UpsertUserVectorData = z.object({
  ...EventRef,
  userId: Id,
  /** The user's interest vector (packages/pipeline/src/recommend/user-vector.ts); occurredAt is their last activity. */
  ...EncodedVector,
});
export type UpsertUserVectorData = z.infer<typeof UpsertUserVectorData>;

/** Up to a signup batch's users at once (one job per batch of stored lists); `eventId` names the job: the batch's key, or the one user's event. */
export const UpsertUserVectorsData = z.object({ eventId: Id, users: z.array(UpsertUserVectorData).min(1).max(MAX_SIGNUPS_PER_JOB) });
export type UpsertUserVectorsData = z.infer<typeof UpsertUserVectorsData>;

export const UserVectorOutcome = z.object({
  userId: Id,
  /** `unchanged`: the same vector was logged already (only the activity moved); `stale`: a newer event set it. */
  outcome: z.enum(['applied', 'unchanged', 'stale']),
  walIds: z.array(z.string()),
});
export type UserVectorOutcome = z.infer<typeof UserVectorOutcome>;

export const UserVectorOutcomes = z.object({ users: z.array(UserVectorOutcome) });
export type UserVectorOutcomes = z.infer<typeof UserVectorOutcomes>;
