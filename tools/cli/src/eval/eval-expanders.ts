import { CatalogExpander, type CategoryStatsSource, type Expander } from '@coldstart/expander';

/** What an expander may be built from in the eval; an LLM expander adds its endpoint here. */
export interface ExpanderContext {
  catalog: CategoryStatsSource;
}

/** Undefined means a variant without expansion (the seed's neighbours through the same ranking). */
export type ExpanderFactory = (context: ExpanderContext) => Promise<Expander | undefined>;

/**
 * The names --expanders accepts. An LLM expander (packages/llm, against an OpenAI-compatible
 * server) joins by adding an entry here, e.g. `llm: () => createLlmExpander(...)` with the
 * endpoint from the environment; nothing else in the eval changes.
 */
export const EVAL_EXPANDERS: Readonly<Record<string, ExpanderFactory>> = {
  catalog: ({ catalog }) => Promise.resolve(new CatalogExpander(catalog)),
  'seed-only': () => Promise.resolve(undefined),
};
