import { z } from 'zod';
import { EncodedVector, EventRef, Id } from '../job-fields.js';

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

export const UserVectorOutcome = z.object({
  userId: Id,
  /** `unchanged`: the same vector was logged already (only the activity moved); `stale`: a newer event set it. */
  outcome: z.enum(['applied', 'unchanged', 'stale']),
  walIds: z.array(z.string()),
});
export type UserVectorOutcome = z.infer<typeof UserVectorOutcome>;
