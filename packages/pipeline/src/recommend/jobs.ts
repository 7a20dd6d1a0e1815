import { z } from 'zod';
import { EventRef, Id } from '../job-fields.js';

export const RecommendUserData = z.object({
  ...EventRef,
  userId: Id,
  seedItemIds: z.array(Id),
  /** The signup's interest categories (as given; the ranking normalises them). */
  categories: z.array(z.string()).default([]),
});
export type RecommendUserData = z.infer<typeof RecommendUserData>;

export const RefreshUserData = z.object({ ...EventRef, userId: Id, itemId: Id });
export type RefreshUserData = z.infer<typeof RefreshUserData>;

export const RecommendOutcome = z.object({
  userId: Id,
  /** `no-profile`: an interaction for a user whose signup has not been processed; only `seen` was recorded. */
  outcome: z.enum(['stored', 'no-profile']),
  items: z.number().int().nonnegative(),
});
export type RecommendOutcome = z.infer<typeof RecommendOutcome>;
