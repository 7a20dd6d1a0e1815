import type { RankingSettings } from './default-ranking.js';
import type { CategoryHits, Hit, RankInput, SeedHits, TopicHits, UnitRows } from './types.js';

/** Everything known about one user when their list is built. */
export interface UserSignals {
  /** Expanded topics the encoder could represent, most important first, with their vectors. */
  topics: readonly { topic: string; vector: Float32Array }[];
  /** Items the user named or interacted with (seeds first): searched for content and co-occurrence neighbours. */
  seeds: readonly string[];
  /** The user's interest categories (normalised as the catalog normalises them). */
  categories: readonly string[];
  /** Never recommended: everything the user has seen, deleted items. */
  exclude: ReadonlySet<string>;
}

/** Where the signals are read from: the recommend pool's replicas, or eval's in-process copies of the same code. */
export interface SignalSources {
  /** Content neighbours of a vector in the user's encoder's item index (cosine scores). */
  search(vector: Float32Array, k: number, exclude: ReadonlySet<string>): readonly Hit[];
  /** An item's stored unit vector in that index, if it holds the item. */
  itemVector(itemId: string): Float32Array | undefined;
  /** The same vectors as rows of the index's own storage (VectorIndex.storedRows), for MMR; absent, MMR asks `itemVector`. */
  itemRows?(): UnitRows;
  /** The behaviour model (BehaviourModel fits); absent, only content signals count. */
  behaviour?: {
    alsoLiked(itemId: string, limit: number): readonly { itemId: string; score: number }[];
    popular(limit: number, options?: { category?: string; exclude?: ReadonlySet<string> }): readonly { itemId: string; score: number }[];
    popularity(itemId: string): number | undefined;
    categoryShare(category: string): number | undefined;
  };
  /** Content → behaviour placement (Placement fits): items with little behaviour placed near a seed. */
  placement?: {
    neighbours(seedItemIds: readonly string[], limit: number, exclude: ReadonlySet<string>): ReadonlyMap<string, readonly { itemId: string; score: number }[]>;
  };
}

/**
 * What one user's list is ranked from (rankCandidates takes it, after an optional category
 * filter): content neighbours of their topics and of their seed and seen items, co-occurrence
 * neighbours of those items, the popular items of their categories, and the popularity prior;
 * overall popularity supplies candidates when nothing else does, so every user gets a list.
 * The recommend pool and `coldstart eval` both build lists here, with the same settings, so
 * what is measured is what is served.
 */
export function userRankInput(
  signals: UserSignals,
  sources: SignalSources,
  settings: RankingSettings,
  topN: number,
  /** The content searches already made: `contentQueries` of these signals, and each one's hits. */
  content?: { queries: readonly ContentQuery[]; hits: readonly (readonly Hit[])[] },
): RankInput {
  const { exclude } = signals;
  const seeds = searchedSeeds(signals.seeds, settings.maxSeeds);
  const queries = content?.queries ?? contentQueries(signals, sources.itemVector, settings);
  if (content && content.hits.length !== queries.length) throw new RangeError(`${content.hits.length} content results for ${queries.length} content queries`);
  const hits = (i: number) => content?.hits[i] ?? sources.search((queries[i] as ContentQuery).vector, (queries[i] as ContentQuery).k, exclude);
  const topicHits: TopicHits[] = [];
  const seedHits: SeedHits[] = [];
  queries.forEach((query, i) => {
    if (query.kind === 'topic') topicHits.push({ topic: query.source, hits: hits(i) });
    else seedHits.push({ seedItemId: query.source, hits: hits(i) });
  });
  const behaviour = sources.behaviour;
  const toHits = (items: readonly { itemId: string; score: number }[]): Hit[] => {
    const hits: Hit[] = [];
    for (const item of items) if (!exclude.has(item.itemId)) hits.push({ id: item.itemId, score: item.score });
    return hits;
  };
  const alsoLikedHits: SeedHits[] = behaviour
    ? seeds.map((seedItemId) => ({ seedItemId, hits: toHits(behaviour.alsoLiked(seedItemId, settings.candidates)) })).filter((list) => list.hits.length > 0)
    : [];
  const placement = sources.placement;
  const placed = placement?.neighbours(seeds, settings.candidates, exclude);
  const placedHits: SeedHits[] = placed ? seeds.map((seedItemId) => ({ seedItemId, hits: toHits(placed.get(seedItemId) ?? []) })).filter((list) => list.hits.length > 0) : [];
  const categoryHits: CategoryHits[] = behaviour
    ? [...new Set(signals.categories)].map((category) => ({ category, hits: categoryLift(behaviour, category, settings.candidates, exclude) })).filter((list) => list.hits.length > 0)
    : [];
  const popularHits = behaviour ? toHits(behaviour.popular(settings.candidates, { exclude })) : [];
  return {
    topicHits,
    seedHits,
    alsoLikedHits,
    placedHits,
    categoryHits,
    popularHits,
    ...(behaviour ? { popularity: (id: string) => behaviour.popularity(id) } : {}),
    unknownPopularity: settings.unknownPopularity,
    weights: settings.weights,
    mmrLambda: settings.mmrLambda,
    // MMR looks each candidate's vector up once and compares them itself (mmr.ts).
    similarity: sources.itemRows ? { unitRows: sources.itemRows() } : { unitVector: (id) => sources.itemVector(id) },
    exclude,
    topN,
  };
}

/** One content search of a user's list: a topic's vector, or a seed item's own. */
export interface ContentQuery {
  kind: 'topic' | 'seed';
  /** The topic, or the seed's itemId. */
  source: string;
  vector: Float32Array;
  /** Neighbours fetched (topicCandidates for a topic, `settings.candidates` for a seed). */
  k: number;
  /** Leave these out (the user's seen items). */
  exclude: ReadonlySet<string>;
}

/** The fewest neighbours fetched for a topic, however far down the user's topics it is. */
export const MIN_TOPIC_CANDIDATES = 20;

/**
 * Neighbours fetched for the user's topic at `rank` (0: the first): `candidates` scaled by the
 * topic's weight relative to the first (topicDecay^rank), at least MIN_TOPIC_CANDIDATES. A topic's
 * part of the fused score shrinks with its rank (fuse-scores.ts), so the deep neighbours of a
 * late topic could hardly rank, yet each was a candidate that fusion scored and MMR considered:
 * 1 000 of a list's 1 441 hits were its five topics' 200 each (bench pipeline). At 200, 100, 50,
 * 25, 20 instead, NDCG@10 on goodbooks folds a and b moved by at most 0.0004 in every protocol
 * (cold-start 0.2519 → 0.2520 and 0.3672 → 0.3672; new-items 0.1097 → 0.1093 and 0.2557 →
 * 0.2556; warming unchanged to within 0.0002 at 0, 1, 3 and 5 interactions).
 */
export function topicCandidates(settings: Pick<RankingSettings, 'candidates' | 'weights'>, rank: number): number {
  return Math.min(settings.candidates, Math.max(MIN_TOPIC_CANDIDATES, Math.round(settings.candidates * settings.weights.topicDecay ** rank)));
}

/**
 * The content searches `userRankInput` makes, in its order: one per topic (topicCandidates hits),
 * then one per searched seed the index holds a vector for (`settings.candidates` hits). A caller that builds
 * several lists at once searches them together (VectorIndex.searchMany) and hands the queries and results
 * to userRankInput, which then searches nothing itself.
 */
export function contentQueries(
  signals: Pick<UserSignals, 'topics' | 'seeds' | 'exclude'>,
  itemVector: SignalSources['itemVector'],
  settings: Pick<RankingSettings, 'maxSeeds' | 'candidates' | 'weights'>,
): ContentQuery[] {
  const { exclude } = signals;
  const topics = signals.topics.map(({ topic, vector }, rank): ContentQuery => ({ kind: 'topic', source: topic, vector, k: topicCandidates(settings, rank), exclude }));
  const seeds = searchedSeeds(signals.seeds, settings.maxSeeds).flatMap((seedItemId): ContentQuery[] => {
    const vector = itemVector(seedItemId);
    return vector ? [{ kind: 'seed', source: seedItemId, vector, k: settings.candidates, exclude }] : [];
  });
  return [...topics, ...seeds];
}

/** The seed and seen items a list is built from: the first `maxSeeds` distinct ones, in the order given. */
export function searchedSeeds(seeds: readonly string[], maxSeeds: number): string[] {
  return [...new Set(seeds)].slice(0, maxSeeds);
}

/** Every item some signal of the input found: what rankCandidates chooses from. */
export function candidateIds(input: RankInput): string[] {
  // Straight into one set: a list's thousand-odd hits copied into arrays first cost the recommend pool 4 % of its CPU.
  const ids = new Set<string>();
  forEachCandidate(input, (id) => ids.add(id));
  return [...ids];
}

/** The id of every hit of every list of the input, as often as the lists hold it (candidateIds without the set). */
export function forEachCandidate(input: RankInput, visit: (id: string) => void): void {
  for (const lists of [input.topicHits, input.seedHits, input.alsoLikedHits ?? [], input.placedHits ?? [], input.categoryHits ?? [], [{ hits: input.popularHits ?? [] }]]) {
    for (const list of lists) for (const hit of list.hits) visit(hit.id);
  }
}

/**
 * The category's most popular items, each scored in the prior's units divided by the category's
 * share of all popularity: how much likelier a fan of the category is to like it than anyone
 * is. The category list and the prior then mix as P(item | category) and P(item) in
 * proportion to their weights (category / (category + popularity) of the mass on the
 * category), whatever the catalog's size, the steepness of its popularity or the category's
 * share of it. Scored as a share of the category's own top item instead, a category-only
 * signup's NDCG@10 was 0.271 on goodbooks fold a and 0.384 on fold b, against 0.280 and 0.388
 * (cold-start lists did not move).
 */
function categoryLift(behaviour: NonNullable<SignalSources['behaviour']>, category: string, limit: number, exclude: ReadonlySet<string>): Hit[] {
  const share = behaviour.categoryShare(category);
  if (share === undefined) return [];
  return behaviour.popular(limit, { category, exclude }).map((item) => ({ id: item.itemId, score: (behaviour.popularity(item.itemId) ?? 0) / share }));
}
