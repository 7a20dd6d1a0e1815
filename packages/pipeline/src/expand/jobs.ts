import { z } from 'zod';
import { Id } from '../job-fields.js';

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

/** expand-topics' result: one expansion per signup of its batch that was not split off (settle-each.ts). */
export const ExpandedSignups = z.object({ signups: z.array(z.object({ eventId: Id, expansion: Expansion })) });
export type ExpandedSignups = z.infer<typeof ExpandedSignups>;
