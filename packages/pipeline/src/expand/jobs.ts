import { z } from 'zod';
import { EventRef, Id } from '../job-fields.js';

/** `none`: nothing could be expanded (no category, no seed the catalog knows); the user is served from other signals. */
export const ExpansionSource = z.enum(['catalog', 'llm', 'cache', 'fallback', 'none']);
export type ExpansionSource = z.infer<typeof ExpansionSource>;

/** expand-topics' result: a signup's interests expanded into topics. */
export const Expansion = z.object({
  topics: z.array(z.string().min(1).max(200)).max(5),
  source: ExpansionSource,
  /** Which expander produced the topics (for LLMs: `llm:<model>`). */
  expander: z.string().min(1),
  /** The user's model variant in the LLM experiment (also on fallbacks, so variants compare fairly). */
  variant: z.string().min(1).optional(),
  /** The LLM prompt template's version. */
  promptVersion: z.string().min(1).optional(),
  /** The experiment the variant belongs to (LLM_EXPERIMENT): attribution counts under it. */
  experiment: z.string().min(1).optional(),
});
export type Expansion = z.infer<typeof Expansion>;

export const ExpandTopicsData = z.object({
  ...EventRef,
  userId: Id,
  categories: z.array(z.string()),
  seedItemIds: z.array(Id),
  locale: z.string().optional(),
});
export type ExpandTopicsData = z.infer<typeof ExpandTopicsData>;
