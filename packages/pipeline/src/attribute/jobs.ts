import { z } from 'zod';
import { Id } from '../job-fields.js';

/** A user.interaction to credit to the list it came from. */
export const AttributeInteractionData = z.object({
  eventId: Id,
  userId: Id,
  itemId: Id,
  rating: z.number().int().min(1).max(5).optional(),
  recommendationId: Id.optional(),
});
export type AttributeInteractionData = z.infer<typeof AttributeInteractionData>;

export const AttributionResult = z.object({
  outcome: z.enum(['attributed', 'duplicate', 'no-list', 'other-user', 'not-in-list']),
  variant: z.string().optional(),
  reasonKind: z.string().optional(),
});
export type AttributionResult = z.infer<typeof AttributionResult>;
