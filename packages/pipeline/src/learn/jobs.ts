import { z } from 'zod';
import { Id } from '../job-fields.js';

/** One interaction to learn; `eventId` dedupes it (a signup's seeds: `<signup eventId>:<itemId>`). */
export const LearnedInteraction = z.object({
  eventId: z.string().min(1).max(300),
  userId: Id,
  itemId: Id,
  /** 1–5; absent: a positive signal. */
  rating: z.number().int().min(1).max(5).optional(),
  occurredAt: z.string().min(1),
});
export type LearnedInteraction = z.infer<typeof LearnedInteraction>;

/** Interactions one learn-interactions job takes (an import batch, a signup batch's seeds in parts). */
export const MAX_LEARNED_PER_JOB = 1_000;

export const LearnInteractionsData = z.object({
  /** What the job is for: the event (signup, interaction) or the import batch. */
  eventId: z.string().min(1).max(300),
  userId: Id.optional(),
  interactions: z.array(LearnedInteraction).min(1).max(MAX_LEARNED_PER_JOB),
});
export type LearnInteractionsData = z.infer<typeof LearnInteractionsData>;

export const LearnResult = z.object({
  /** Likes logged; the rest were repeats of an eventId, repeats of a user's like of an item, or not positive. */
  learned: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  repeats: z.number().int().nonnegative(),
  negatives: z.number().int().nonnegative(),
});
export type LearnResult = z.infer<typeof LearnResult>;
