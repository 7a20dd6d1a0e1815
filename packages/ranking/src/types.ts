/** One nearest-neighbour hit: an item and its cosine similarity to the query. */
export interface Hit {
  id: string;
  score: number;
}

/** Neighbours of one expanded topic. */
export interface TopicHits {
  topic: string;
  hits: readonly Hit[];
}

/** Neighbours of one item the user named (the seed), searched with that item's own vector. */
export interface SeedHits {
  seedItemId: string;
  hits: readonly Hit[];
}

/**
 * How much each signal counts in the fused score. Topic and seed similarities are cosines in
 * [-1, 1]; the popularity prior is in [0, 1].
 */
export interface RankWeights {
  topic: number;
  seed: number;
  popularity: number;
  /**
   * Topic i (expander order, most important first) counts `topicDecay^i` within the topic
   * part: later topics are looser associations of the user's interest.
   */
  topicDecay: number;
}

/** Why an item is in the list: the topic or seed item whose neighbours brought it. */
export interface Reason {
  kind: 'topic' | 'seed';
  /** The topic text, or the seed's item id. */
  source: string;
  /** Cosine similarity of the item to that topic or seed. */
  similarity: number;
}

export interface RankedItem {
  itemId: string;
  /** The fused score (before the diversity re-ranking, which only reorders). */
  score: number;
  reason: Reason;
}

export interface CategoryFilter {
  categoriesOf: (itemId: string) => readonly string[] | undefined;
  /** When given, an item must carry at least one of these. */
  include?: ReadonlySet<string>;
  /** An item carrying any of these is dropped. */
  exclude?: ReadonlySet<string>;
}

export interface RankInput {
  topicHits: readonly TopicHits[];
  seedHits: readonly SeedHits[];
  /** The prior in [0, 1] for an item, undefined when unknown (e.g. a brand-new item). */
  popularity?: (itemId: string) => number | undefined;
  /** The prior given to an item whose popularity is unknown. */
  unknownPopularity?: number;
  weights: RankWeights;
  /** MMR trade-off: 1 ranks by score alone, lower values favour items unlike those already chosen. */
  mmrLambda: number;
  /** Cosine similarity of two items; without it the list is not diversified. */
  similarity?: (a: string, b: string) => number | undefined;
  /** Items never to return (seen by the user, the seeds themselves). */
  exclude?: ReadonlySet<string>;
  categoryFilter?: CategoryFilter;
  topN: number;
}
