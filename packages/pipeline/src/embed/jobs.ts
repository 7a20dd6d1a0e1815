import { z } from 'zod';
import { Expansion } from '../expand/jobs.js';
import { EncodedVector, EventRef, Id, VectorBase64 } from '../job-fields.js';

export const EmbeddedTopics = z.object({
  /** The topics the encoder could represent; none when it knew none of them (the seed items then carry the list). */
  expansion: Expansion.extend({ topics: z.array(z.string().min(1).max(200)).max(5) }),
  encoder: z.string().min(1),
  dimension: z.number().int().positive(),
  /** One per topic, in the same order. */
  vectors: z.array(VectorBase64).max(5),
});
export type EmbeddedTopics = z.infer<typeof EmbeddedTopics>;

/** embed-topics' result: the embedded topics of each signup its expand-topics child expanded. */
export const EmbeddedSignups = z.object({ signups: z.array(EmbeddedTopics.extend({ eventId: Id })) });
export type EmbeddedSignups = z.infer<typeof EmbeddedSignups>;

export const EmbedItemData = z.object({ ...EventRef, itemId: Id, text: z.string().min(1) });
export type EmbedItemData = z.infer<typeof EmbedItemData>;

export const EmbeddedItem = z.object(EncodedVector);
export type EmbeddedItem = z.infer<typeof EmbeddedItem>;
