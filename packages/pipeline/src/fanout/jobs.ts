import { z } from 'zod';
import { EncodedVector, EventRef, Id } from '../job-fields.js';

/** An applied item upsert, handed from the index pool to the recommend pool's fan-out. */
export const FanoutItemData = z.object({ ...EventRef, itemId: Id, ...EncodedVector });
export type FanoutItemData = z.infer<typeof FanoutItemData>;

export const FanoutItemOutcome = z.object({
  itemId: Id,
  /** `disabled`: FANOUT_USERS is 0; `no-users`: no user close and active enough (or no user index yet). */
  outcome: z.enum(['fanned-out', 'no-users', 'disabled']),
  users: z.number().int().nonnegative(),
});
export type FanoutItemOutcome = z.infer<typeof FanoutItemOutcome>;

/** One user's fan-out rewrite for one time window (its job id derives from both). */
export const FanoutUserData = z.object({
  userId: Id,
  /** floor(time / FANOUT_WINDOW_MS) of the window whose new items this rewrite handles. */
  window: z.number().int().nonnegative(),
});
export type FanoutUserData = z.infer<typeof FanoutUserData>;

export const FanoutUserOutcome = z.object({
  userId: Id,
  /**
   * `stored`: a pending item made the top N and the list was rewritten; `unchanged`: none did
   * (nothing written); `nothing-pending`: another run handled them; `no-profile`: skipped.
   */
  outcome: z.enum(['stored', 'unchanged', 'nothing-pending', 'no-profile']),
  newItems: z.array(Id),
});
export type FanoutUserOutcome = z.infer<typeof FanoutUserOutcome>;
