import { decodeVectorBase64 } from '@coldstart/embeddings';
import type { ReplicaSet } from '@coldstart/index-log';
import { PermanentError } from '@coldstart/queues';
import { rankCandidates, type RankedItem, type RankingSettings } from '@coldstart/ranking';
import type { CatalogStore, RecommendationList, RecommendationStore, UserProfile } from '@coldstart/store';
import type { QueueHandlers } from '../catalog.js';
import { EmbeddedTopics } from '../embed/jobs.js';

export interface RecommendRanking extends RankingSettings {
  /** Items carrying any of these (normalised) categories are never recommended. */
  excludeCategories: ReadonlySet<string>;
}

/**
 * Seed items searched per list. Every seen item is excluded, but searching each one would make a
 * long-lived user's refresh cost grow without bound (one FAISS search per interaction ever made).
 * The seen set is unordered, so the cap keeps the lexically first ids: stable, not "the latest".
 */
export const MAX_SEED_ITEMS = 20;

export interface RecommendDeps {
  replicas: ReplicaSet;
  catalog: Pick<CatalogStore, 'getItems'>;
  recommendations: Pick<RecommendationStore, 'markSeen' | 'seen' | 'putProfile' | 'getProfile' | 'put'>;
  /** An item's stored (L2-normalised) vector in an encoder's index: seeds are searched with their own vectors, and MMR compares candidates by them. */
  itemVector: (encoder: string, itemId: string) => Float32Array | undefined;
  /**
   * The popularity prior in [0, 1], undefined for an unknown item. Without it every item gets
   * `unknownPopularity`, which leaves the order unchanged (the catalog keeps no popularity yet).
   */
  popularity?: (itemId: string) => number | undefined;
  ranking: RecommendRanking;
  topN: number;
  now?: () => Date;
  /** Runs after recommend-user or refresh-user stored a list: the fan-out records the user's interest vector there (user-vector.ts). */
  onListStored?: (profile: UserProfile, event: { eventId: string; occurredAt: string }) => Promise<void>;
}

/** Builds a user's list with the pool's ranking; the fan-out rewrites lists with it too. */
export type BuildList = (profile: UserProfile, eventId: string) => Promise<RecommendationList>;

/** The stored reason: the topic itself (so readers can match it to `topics`), or `seed:<itemId>`. */
export function reasonLabel(item: RankedItem): string {
  return item.reason.kind === 'topic' ? item.reason.source : `seed:${item.reason.source}`;
}

export function makeListBuilder(deps: RecommendDeps): BuildList {
  const now = deps.now ?? (() => new Date());
  const { ranking } = deps;

  async function buildList(profile: UserProfile, eventId: string): Promise<RecommendationList> {
    const replica = deps.replicas.forEncoder(profile.encoder);
    await replica.catchUp();
    const { index, space } = replica;
    // Retried with backoff: on a fresh deployment (or a new encoder) the catalog may still be loading.
    if (!index || !space || index.size === 0) throw new Error(`the ${profile.encoder} item index is empty; waiting for the catalog`);
    if (space.dimension !== profile.dimension) {
      throw new PermanentError(
        `user ${profile.userId} has ${profile.dimension}-dimensional ${profile.encoder} vectors but its index holds ${space.dimension}-dimensional ones`,
      );
    }
    // Everything the user has seen (the signup's seeds, later interactions) is both excluded
    // and a seed: its neighbours are the strongest content signal a new user gives.
    const seen = await deps.recommendations.seen(profile.userId);
    const topicHits = profile.topics.map((topic, i) => ({
      topic,
      hits: index.search(decodeVectorBase64(profile.vectors[i] ?? '', space.dimension), ranking.candidates, { exclude: seen }),
    }));
    const seedHits = [...seen].sort().slice(0, MAX_SEED_ITEMS).flatMap((seedItemId) => {
      const vector = deps.itemVector(profile.encoder, seedItemId);
      return vector ? [{ seedItemId, hits: index.search(vector, ranking.candidates, { exclude: seen }) }] : [];
    });
    if (topicHits.length === 0 && seedHits.length === 0) {
      // No topic the encoder could represent, and no seed item in the index: nothing to search
      // from. Seed items the index does not hold yet may still arrive, so that case is retried.
      if (seen.size > 0) throw new Error(`user ${profile.userId} has no usable topic and none of their ${seen.size} seed items is in the ${profile.encoder} index yet`);
      throw new PermanentError(`user ${profile.userId} has no usable topic and no seed item: nothing to recommend from`);
    }
    // MMR compares every candidate pair: look each vector up once per list, not once per pair
    // (a lookup copies the vector out of the index; this was 30 % of the pool's CPU).
    const vectors = new Map<string, Float32Array | undefined>();
    const vectorOf = (id: string) => {
      if (!vectors.has(id)) vectors.set(id, deps.itemVector(profile.encoder, id));
      return vectors.get(id);
    };
    const categories = ranking.excludeCategories.size > 0 ? await candidateCategories([...topicHits, ...seedHits]) : undefined;
    const ranked = rankCandidates({
      topicHits,
      seedHits,
      ...(deps.popularity ? { popularity: deps.popularity } : {}),
      unknownPopularity: ranking.unknownPopularity,
      weights: ranking.weights,
      mmrLambda: ranking.mmrLambda,
      similarity: (a, b) => unitCosine(vectorOf(a), vectorOf(b)),
      exclude: seen,
      ...(categories ? { categoryFilter: { categoriesOf: (id: string) => categories.get(id), exclude: ranking.excludeCategories } } : {}),
      topN: deps.topN,
    });
    const items = await deps.catalog.getItems(ranked.map((c) => c.itemId));
    return {
      userId: profile.userId,
      items: ranked.flatMap((c) => {
        const item = items.get(c.itemId);
        return item ? [{ itemId: c.itemId, title: item.title, score: Number(c.score.toFixed(6)), reason: reasonLabel(c) }] : [];
      }),
      topics: profile.topics,
      expansion: profile.expansion,
      encoder: profile.encoder,
      generatedAt: now().toISOString(),
      eventId,
    };
  }

  async function candidateCategories(lists: readonly { hits: readonly { id: string }[] }[]): Promise<Map<string, string[]>> {
    const ids = [...new Set(lists.flatMap((list) => list.hits.map((hit) => hit.id)))];
    const items = await deps.catalog.getItems(ids);
    return new Map([...items].map(([id, item]) => [id, item.categories]));
  }

  return buildList;
}

/** recommend-user and refresh-user; the recommend pool runs the fan-out's jobs (../fanout/handler.ts) beside them. */
export function makeRecommendHandlers(deps: RecommendDeps): Pick<QueueHandlers<'recommend'>, 'recommend-user' | 'refresh-user'> {
  const buildList = makeListBuilder(deps);
  return {
    'recommend-user': async (data, { childResults }) => {
      const [embedded] = await childResults(EmbeddedTopics);
      if (!embedded) throw new PermanentError(`recommend-user for ${data.userId} has no embedded topics`);
      await deps.recommendations.markSeen(data.userId, data.seedItemIds);
      const { topics, ...expansion } = embedded.expansion;
      const profile: UserProfile = {
        userId: data.userId,
        topics,
        expansion,
        encoder: embedded.encoder,
        dimension: embedded.dimension,
        vectors: embedded.vectors,
      };
      await deps.recommendations.putProfile(profile);
      const stored = await deps.recommendations.put(await buildList(profile, data.eventId));
      await deps.onListStored?.(profile, data);
      return { userId: data.userId, outcome: 'stored', items: stored.items.length };
    },
    'refresh-user': async (data) => {
      await deps.recommendations.markSeen(data.userId, [data.itemId]);
      const profile = await deps.recommendations.getProfile(data.userId);
      if (!profile) return { userId: data.userId, outcome: 'no-profile', items: 0 };
      const stored = await deps.recommendations.put(await buildList(profile, data.eventId));
      await deps.onListStored?.(profile, data);
      return { userId: data.userId, outcome: 'stored', items: stored.items.length };
    },
  };
}

/** The index keeps unit vectors (it normalises on upsert), so their cosine is the dot product. */
function unitCosine(a: Float32Array | undefined, b: Float32Array | undefined): number | undefined {
  if (!a || !b || a.length !== b.length) return undefined;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number);
  return dot;
}
