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

/** Neighbours of one item the user named or saw (a seed): by its own vector, or by co-occurrence. */
export interface SeedHits {
  seedItemId: string;
  hits: readonly Hit[];
}

/** The most popular items of one of the user's interest categories; scores: the popularity prior over the category's share of all popularity (>= 0, see userRankInput). */
export interface CategoryHits {
  category: string;
  hits: readonly Hit[];
}

/**
 * How much each signal counts in the fused score. Topic and seed similarities are cosines in
 * [-1, 1]; co-occurrence and the popularity prior are in [0, 1]; category popularity is the
 * prior divided by the category's share of all popularity, so `category` and `popularity` split
 * the mass between P(item | category) and P(item).
 */
export interface RankWeights {
  topic: number;
  /** Content neighbours of the seed and seen items. */
  seed: number;
  /** Co-occurrence neighbours of the seed and seen items ("readers who liked it also liked"). */
  alsoLiked: number;
  /**
   * Items placed near the seed and seen items by their content (Placement: predicted
   * co-occurrence, for items with too little behaviour of their own).
   */
  placement: number;
  /** Popularity within the user's interest categories. */
  category: number;
  popularity: number;
  /**
   * Topic i (expander order, most important first) counts `topicDecay^i` within the topic
   * part: later topics are looser associations of the user's interest.
   */
  topicDecay: number;
}

/**
 * Why an item is in the list: the signal that contributed most among those that found it: a
 * topic's or a seed's content neighbours, a seed's co-occurrence neighbours, the popular items
 * of a category, or (when nothing else found it) overall popularity.
 */
export interface Reason {
  kind: 'topic' | 'seed' | 'also-liked' | 'popular-in' | 'popular' | 'new-in' | 'exploring';
  /**
   * The topic text, the seed's item id, the category; empty for `popular` and `exploring`.
   * `new-in` and `exploring` mark an exploration slot (explore.ts): a new item a topic found,
   * or one the other signals found.
   */
  source: string;
  /** The item's score in that list: a cosine, a co-occurrence share, a popularity share (over the category's share for `popular-in`). */
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
  /** Co-occurrence neighbours of each seed or seen item (the behaviour model). */
  alsoLikedHits?: readonly SeedHits[];
  /** Items placed by content near each seed or seen item (predicted co-occurrence; reason `also-liked`). */
  placedHits?: readonly SeedHits[];
  /** Popular items of each of the user's interest categories. */
  categoryHits?: readonly CategoryHits[];
  /** The most popular items overall: candidates of last resort, so every user gets a list. */
  popularHits?: readonly Hit[];
  /** The prior in [0, 1] for an item, undefined when unknown (e.g. a brand-new item). */
  popularity?: (itemId: string) => number | undefined;
  /** The prior given to an item whose popularity is unknown. */
  unknownPopularity?: number;
  weights: RankWeights;
  /** MMR trade-off: 1 ranks by score alone, lower values favour items unlike those already chosen. */
  mmrLambda: number;
  /** How alike two items are (mmr.ts); without it the list is not diversified. */
  similarity?: Similarity;
  /** Items never to return (seen by the user, the seeds themselves). */
  exclude?: ReadonlySet<string>;
  categoryFilter?: CategoryFilter;
  /** A share of the list kept for new items with little behaviour (explore.ts); absent or weight 0: none. */
  exploration?: Exploration;
  topN: number;
}

export interface Exploration {
  /** The share of the list (0–1) that may go to explorable items. */
  weight: number;
  /** Younger than the age cut-off, with too little behaviour to be judged by it. */
  isExplorable(itemId: string): boolean;
  /** How many readers a new item has already won (its likes so far); explorers are ordered by score plus `uptakeWeight` × ln(1 + it). */
  uptake?(itemId: string): number;
  uptakeWeight: number;
  /** …plus `seedWeight` × their content similarity to the closest of the user's items. */
  seedWeight: number;
  /** Whether a new item shares an author with one of the user's items; explorers that do are ordered `authorWeight` higher. */
  sharesAuthor?(itemId: string): boolean;
  authorWeight: number;
}

/**
 * Two items' similarity for MMR: a function of their ids, or each item's unit vector (the cosine
 * is then their dot product, unit-cosine.ts), which MMR looks up once per candidate instead of
 * once per comparison, either one by one or as rows of one array (`unitRows`: an index's own
 * storage, VectorIndex.storedRows, so no vector needs a view of its own). Undefined: not known,
 * counted as 0.
 */
export type Similarity =
  | ((a: string, b: string) => number | undefined)
  | { unitVector(itemId: string): Float32Array | undefined }
  | { unitRows: UnitRows };

/** Unit vectors row by row: row r is `data[r·dimension … (r+1)·dimension)`. */
export interface UnitRows {
  readonly data: Float32Array;
  readonly dimension: number;
  rowOf(itemId: string): number | undefined;
}
