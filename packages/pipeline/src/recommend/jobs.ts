import { z } from 'zod';
import { EventRef, Id } from '../job-fields.js';

export const RefreshUserData = z.object({ ...EventRef, userId: Id, itemId: Id });
export type RefreshUserData = z.infer<typeof RefreshUserData>;

export const RecommendOutcome = z.object({
  userId: Id,
  /** `no-profile`: an interaction for a user whose signup has not been processed; only `seen` was recorded. */
  outcome: z.enum(['stored', 'no-profile']),
  items: z.number().int().nonnegative(),
});
export type RecommendOutcome = z.infer<typeof RecommendOutcome>;

/** recommend-user's result: an outcome per signup of its batch that reached it (the others were split off). */
export const RecommendedSignups = z.object({ signups: z.array(RecommendOutcome.extend({ eventId: Id })) });
export type RecommendedSignups = z.infer<typeof RecommendedSignups>;
