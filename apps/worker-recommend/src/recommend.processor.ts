import { decodeVectorBase64 } from '@coldstart/embeddings';
import { EmbeddedTopics, PermanentError, type PoolHandlers } from '@coldstart/queues';
import type { CatalogStore, RecommendationList, RecommendationStore, UserProfile } from '@coldstart/store';
import { mergeNeighbours } from './merge-neighbours.js';
import type { ReplicaSet } from './wal-replica.js';

export interface RecommendDeps {
  replicas: ReplicaSet;
  catalog: Pick<CatalogStore, 'getItems'>;
  recommendations: Pick<RecommendationStore, 'markSeen' | 'seen' | 'putProfile' | 'getProfile' | 'put'>;
  topN: number;
  now?: () => Date;
}

export function makeRecommendHandlers(deps: RecommendDeps): PoolHandlers<'recommend'> {
  const now = deps.now ?? (() => new Date());

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
    const seen = await deps.recommendations.seen(profile.userId);
    const perTopic = profile.topics.map((topic, i) => ({
      topic,
      hits: index.search(decodeVectorBase64(profile.vectors[i] ?? '', space.dimension), deps.topN, { exclude: seen }),
    }));
    const candidates = mergeNeighbours(perTopic, deps.topN);
    const items = await deps.catalog.getItems(candidates.map((c) => c.itemId));
    return {
      userId: profile.userId,
      items: candidates.flatMap((c) => {
        const item = items.get(c.itemId);
        return item ? [{ itemId: c.itemId, title: item.title, score: Number(c.score.toFixed(6)), reason: c.reason }] : [];
      }),
      topics: profile.topics,
      expansion: profile.expansion,
      encoder: profile.encoder,
      generatedAt: now().toISOString(),
      eventId,
    };
  }

  return {
    'recommend-user': async (data, { childResults }) => {
      const [embedded] = await childResults(EmbeddedTopics);
      if (!embedded) throw new PermanentError(`recommend-user for ${data.userId} has no embedded topics`);
      await deps.recommendations.markSeen(data.userId, data.seedItemIds);
      const profile: UserProfile = {
        userId: data.userId,
        topics: embedded.expansion.topics,
        // Everything but the topics themselves: source, expander, the LLM variant and prompt version.
        expansion: (({ topics: _topics, ...record }) => record)(embedded.expansion),
        encoder: embedded.encoder,
        dimension: embedded.dimension,
        vectors: embedded.vectors,
      };
      await deps.recommendations.putProfile(profile);
      const stored = await deps.recommendations.put(await buildList(profile, data.eventId));
      return { userId: data.userId, outcome: 'stored', items: stored.items.length };
    },
    'refresh-user': async (data) => {
      await deps.recommendations.markSeen(data.userId, [data.itemId]);
      const profile = await deps.recommendations.getProfile(data.userId);
      if (!profile) return { userId: data.userId, outcome: 'no-profile', items: 0 };
      const stored = await deps.recommendations.put(await buildList(profile, data.eventId));
      return { userId: data.userId, outcome: 'stored', items: stored.items.length };
    },
  };
}
