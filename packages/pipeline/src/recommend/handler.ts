import type { BehaviourModel, Placement } from '@coldstart/behaviour';
import { decodeVectorBase64 } from '@coldstart/embeddings';
import type { ReplicaSet } from '@coldstart/index-log';
import type { VectorIndex } from '@coldstart/vector-index';
import { PermanentError } from '@coldstart/queues';
import { counter } from '@coldstart/runtime';
import {
  candidateIds,
  contentQueries,
  explorationAt,
  forEachCandidate,
  rankCandidates,
  searchedSeeds,
  userRankInput,
  type Hit,
  type RankedItem,
  type RankingSettings,
  type RankInput,
  type SignalSources,
  type UserSignals,
} from '@coldstart/ranking';
import { normaliseCategory, type CatalogStore, type RecommendationList, type RecommendationStore, type UserProfile } from '@coldstart/store';
import type { QueueHandlers } from '../catalog.js';
import { EmbeddedSignups, type EmbeddedTopics } from '../embed/jobs.js';
import type { Hops } from '../graph.js';
import type { UpsertUserVectorData } from '../index/jobs.js';
import { SEED_WAIT_RETRIES } from '../seed-wait.js';
import type { UserVectorEntry } from './user-vector.js';
import { settleEach, signupGoesOnAlone } from '../settle-each.js';
import { seedItemIds, signupBatchKey, type Signup } from '../signup/jobs.js';

export interface RecommendRanking extends RankingSettings {
  /** Items carrying any of these (normalised) categories are never recommended. */
  excludeCategories: ReadonlySet<string>;
}


export interface RecommendDeps {
  replicas: ReplicaSet;
  catalog: Pick<CatalogStore, 'getItems'>;
  recommendations: Pick<RecommendationStore, 'markSeen' | 'seen' | 'putProfile' | 'getProfile' | 'put' | 'awaitItems'>;
  /**
   * An item's stored (L2-normalised) vector in an encoder's index: seeds are searched with their
   * own vectors, and MMR compares candidates by them. It may be a view of the index's storage
   * (VectorIndex.vectorView), so it is used before the next await and never kept.
   */
  itemVector: (encoder: string, itemId: string) => Float32Array | undefined;
  /** The behaviour model's replica (popularity, co-occurrence), caught up before each list; without it only content signals count. */
  behaviour?: { catchUp(): Promise<void>; readonly model: BehaviourModel };
  /** The content → behaviour placement fitted on an encoder's index (PlacementRefit); undefined before the first fit. */
  placement?: (encoder: string) => Placement | undefined;
  ranking: RecommendRanking;
  topN: number;
  now?: () => Date;
  /**
   * After recommend-user or refresh-user stored lists, the fan-out records the users' interest
   * vectors (user-vector.ts): `entry` computes one, `record` hands a job's worth to the index pool.
   */
  userVectors?: { entry: UserVectorEntry; record: Hops['recordUserVectors'] };
  /** Where a signup that fails in a batch goes on alone (settle-each.ts). */
  signupAlone: Hops['signupAlone'];
}

/** Builds a user's list with the pool's ranking; the fan-out rewrites lists with it too. */
export type BuildList = (profile: UserProfile, eventId: string) => Promise<RecommendationList>;

/** The stored reason a product can show: the topic itself (so readers can match it to `topics`), or `<kind>:<source>`. */
export function reasonLabel(item: RankedItem): string {
  const { kind, source } = item.reason;
  if (kind === 'topic') return source;
  return kind === 'popular' || kind === 'exploring' ? kind : `${kind}:${source}`;
}

/** Lists written by recommend-user and refresh-user, one per user (a batch job writes several); `bench pipeline` counts its progress by it. */
const listsStored = () => counter({ name: 'coldstart_lists_stored_total', help: 'Recommendation lists written, by the job that wrote them.', labelNames: ['job'] });

/** What a list is ranked from, read once the replicas have caught up (ListRanker.prepare). */
export interface PreparedList {
  profile: UserProfile;
  index: VectorIndex;
  signals: UserSignals;
  placement: Placement | undefined;
}

/**
 * A list in three steps, so lists built together search together: `prepare` reads what one list
 * needs (asynchronous), `rankInputs` makes every content search of the lists given in one call per
 * index (synchronous, so the item vectors the index lends stay valid) and `finish` ranks one list
 * and reads its records. `rankOne` is the last two for one prepared list, `buildList` all three.
 */
export interface ListRanker {
  prepare(profile: UserProfile): Promise<PreparedList>;
  rankInputs(lists: readonly PreparedList[]): RankInput[];
  finish(list: PreparedList, input: RankInput, eventId: string): Promise<RecommendationList>;
  rankOne(list: PreparedList, eventId: string): Promise<RecommendationList>;
  buildList: BuildList;
}

export function makeListRanker(deps: RecommendDeps): ListRanker {
  const now = deps.now ?? (() => new Date());
  const { ranking } = deps;

  async function prepare(profile: UserProfile): Promise<PreparedList> {
    const replica = deps.replicas.forEncoder(profile.encoder);
    await Promise.all([replica.catchUp(), deps.behaviour?.catchUp()]);
    const { index, space } = replica;
    // Retried with backoff: on a fresh deployment (or a new encoder) the catalog may still be loading.
    if (!index || !space || index.size === 0) throw new Error(`the ${profile.encoder} item index is empty; waiting for the catalog`);
    if (space.dimension !== profile.dimension) {
      throw new PermanentError(
        `user ${profile.userId} has ${profile.dimension}-dimensional ${profile.encoder} vectors but its index holds ${space.dimension}-dimensional ones`,
      );
    }
    // Everything the user has seen (the signup's seeds, later interactions) is both excluded
    // and a seed: its neighbours are the strongest signal a new user gives.
    const seen = await deps.recommendations.seen(profile.userId);
    const signals: UserSignals = {
      topics: profile.topics.map((topic, i) => ({ topic, vector: decodeVectorBase64(profile.vectors[i] ?? '', space.dimension) })),
      seeds: [...seen].sort(),
      categories: (profile.categories ?? []).map(normaliseCategory).filter((c) => c.length > 0),
      exclude: seen,
    };
    return { profile, index, signals, placement: deps.placement?.(profile.encoder) };
  }

  function sources(list: PreparedList): SignalSources {
    const { index, profile, placement } = list;
    return {
      search: (vector, k, exclude) => index.search(vector, k, { exclude }),
      itemVector: (itemId) => deps.itemVector(profile.encoder, itemId),
      itemRows: () => index.storedRows(),
      ...(deps.behaviour ? { behaviour: deps.behaviour.model } : {}),
      ...(placement ? { placement } : {}),
    };
  }

  function rankInputs(lists: readonly PreparedList[]): RankInput[] {
    const queries = lists.map((list) => contentQueries(list.signals, (itemId) => deps.itemVector(list.profile.encoder, itemId), ranking));
    const hits: Hit[][][] = lists.map(() => []);
    for (const index of new Set(lists.map((list) => list.index))) {
      const owners = lists.flatMap((list, i) => (list.index === index ? [i] : []));
      const found = index.searchMany(owners.flatMap((i) => (queries[i] ?? []).map((query) => ({ vector: query.vector, k: query.k, exclude: query.exclude }))));
      let next = 0;
      for (const i of owners) hits[i] = found.slice(next, (next += queries[i]?.length ?? 0));
    }
    return lists.map((list, i) => userRankInput(list.signals, sources(list), ranking, deps.topN, { queries: queries[i] ?? [], hits: hits[i] ?? [] }));
  }

  async function finish(list: PreparedList, input: RankInput, eventId: string): Promise<RecommendationList> {
    const { profile, placement, signals } = list;
    const seen = signals.exclude;
    if (ranking.excludeCategories.size > 0) {
      const categories = await candidateCategories(input);
      input.categoryFilter = { categoriesOf: (id: string) => categories.get(id), exclude: ranking.excludeCategories };
    }
    const model = deps.behaviour?.model;
    if (ranking.exploration.weight > 0 && model) {
      // Only items with few likes can be explorable: their records (age, authors) are read for
      // those candidates, and for the user's items the list was built from (a user whose items
      // are all new does not explore; explorers by their authors are preferred).
      const likes = (id: string) => model.pairedLikeCount(id);
      const userItems = searchedSeeds(signals.seeds, ranking.maxSeeds);
      const wanted = new Set(userItems);
      forEachCandidate(input, (id) => {
        if (!wanted.has(id) && likes(id) <= ranking.exploration.maxLikes) wanted.add(id);
      });
      const records = await deps.catalog.getItems([...wanted]);
      const exploration = explorationAt(
        ranking.exploration,
        { userItems, addedAt: (id) => records.get(id)?.addedAt, likes, uptake: (id) => model.likeCount(id), authors: (id) => records.get(id)?.authors },
        now().getTime(),
      );
      if (exploration) input.exploration = exploration;
    }
    const ranked = rankCandidates(input);
    if (ranked.length === 0) {
      // Nothing to rank from: no topic the encoder could represent, no seed in the index, and no
      // behaviour yet. Seed items the index does not hold yet may still arrive, so that is retried.
      if (seen.size > 0) throw new Error(`user ${profile.userId} has no usable topic and none of their ${seen.size} seed items is in the ${profile.encoder} index yet`);
      throw new PermanentError(`user ${profile.userId} has no usable topic, no seed item and there is no behaviour to fall back on: nothing to recommend from`);
    }
    const items = await deps.catalog.getItems(ranked.map((c) => c.itemId));
    return {
      userId: profile.userId,
      items: ranked.flatMap((c) => {
        const item = items.get(c.itemId);
        return item ? [{ itemId: c.itemId, title: item.title, score: Number(c.score.toFixed(6)), reason: reasonLabel(c), reasonKind: c.reason.kind }] : [];
      }),
      topics: profile.topics,
      expansion: profile.expansion,
      encoder: profile.encoder,
      generatedAt: now().toISOString(),
      eventId,
      ...(placement ? { placementVersion: placement.version } : {}),
    };
  }

  async function candidateCategories(input: RankInput): Promise<Map<string, string[]>> {
    const items = await deps.catalog.getItems(candidateIds(input));
    return new Map([...items].map(([id, item]) => [id, item.categories]));
  }

  function rankOne(list: PreparedList, eventId: string): Promise<RecommendationList> {
    const [input] = rankInputs([list]);
    return finish(list, input as RankInput, eventId);
  }

  return { prepare, rankInputs, finish, rankOne, buildList: async (profile, eventId) => rankOne(await prepare(profile), eventId) };
}

export function makeListBuilder(deps: RecommendDeps): BuildList {
  return makeListRanker(deps).buildList;
}

/** recommend-user and refresh-user; the recommend pool runs the fan-out's jobs (../fanout/handler.ts) beside them. */
export function makeRecommendHandlers(deps: RecommendDeps): Pick<QueueHandlers<'recommend'>, 'recommend-user' | 'refresh-user'> {
  const ranker = makeListRanker(deps);

  /** Everything of one signup's list up to its ranking (ListRanker.prepare). */
  async function prepareSignup(signup: Signup, embedded: EmbeddedTopics, attemptsMade: number): Promise<PreparedList> {
    const seeds = seedItemIds(signup);
    await deps.recommendations.markSeen(signup.userId, seeds);
    const replica = deps.replicas.forEncoder(embedded.encoder);
    await replica.catchUp();
    const unindexed = seeds.filter((id) => !replica.index?.has(id));
    if (unindexed.length > 0) {
      if (attemptsMade < SEED_WAIT_RETRIES) throw new Error(`seed items of user ${signup.userId} not in the ${embedded.encoder} index yet: ${unindexed.slice(0, 5).join(', ')}`);
      // Recorded before the list is built (which catches up again), so an item indexed in
      // between is either in this list or rebuilds it: never neither.
      await deps.recommendations.awaitItems(signup.userId, unindexed);
    }
    const { topics, ...expansion } = embedded.expansion;
    const profile: UserProfile = {
      userId: signup.userId,
      categories: signup.categories,
      topics,
      expansion,
      encoder: embedded.encoder,
      dimension: embedded.dimension,
      vectors: embedded.vectors,
    };
    await deps.recommendations.putProfile(profile);
    return ranker.prepare(profile);
  }

  /** One signup's list ranked and stored; its user vector (for the batch's one upsert-user-vector job) when the fan-out is on. */
  async function storeSignup(signup: Signup, list: PreparedList, input: RankInput): Promise<{ items: number; vector?: UpsertUserVectorData | undefined }> {
    const stored = await deps.recommendations.put(await ranker.finish(list, input, signup.eventId));
    listsStored().inc({ job: 'recommend-user' });
    return { items: stored.items.length, vector: deps.userVectors?.entry(list.profile, signup, list.signals.exclude) };
  }

  return {
    'recommend-user': async (data, context) => {
      const [embeddedSignups] = await context.childResults(EmbeddedSignups, 'embed');
      if (!embeddedSignups) throw new PermanentError(`recommend-user for ${data.signups.length} signup(s) has no embedded topics`);
      const byEvent = new Map(embeddedSignups.signups.map((s) => [s.eventId, s]));
      const splitOff = signupGoesOnAlone(context, deps.signupAlone, 'building its list');
      // Signups without embedded topics were split off by an earlier stage into flows of their own.
      const signups = data.signups.filter((signup) => byEvent.has(signup.eventId));
      const prepared = await settleEach(
        'recommend-user',
        signups,
        (signup) => prepareSignup(signup, byEvent.get(signup.eventId) as EmbeddedTopics, context.job.attemptsMade),
        splitOff,
      );
      // Every list's content searches at once (one FAISS call), then each list ranked and stored.
      const inputs = ranker.rankInputs(prepared.map(({ result }) => result));
      const served = await settleEach(
        'recommend-user',
        prepared.map((entry, i) => ({ ...entry, input: inputs[i] as RankInput })),
        ({ entry, result, input }) => storeSignup(entry, result, input),
        ({ entry }, error) => splitOff(entry, error),
      );
      const vectors = served.flatMap(({ result }) => result.vector ?? []);
      if (vectors.length > 0) await deps.userVectors?.record({ eventId: signupBatchKey(data.signups), users: vectors });
      return { signups: served.map(({ entry: { entry }, result }) => ({ eventId: entry.eventId, userId: entry.userId, outcome: 'stored' as const, items: result.items })) };
    },
    'refresh-user': async (data) => {
      await deps.recommendations.markSeen(data.userId, [data.itemId]);
      const profile = await deps.recommendations.getProfile(data.userId);
      if (!profile) return { userId: data.userId, outcome: 'no-profile', items: 0 };
      const list = await ranker.prepare(profile);
      const stored = await deps.recommendations.put(await ranker.rankOne(list, data.eventId));
      listsStored().inc({ job: 'refresh-user' });
      const vector = deps.userVectors?.entry(profile, data, list.signals.exclude);
      if (vector) await deps.userVectors?.record({ eventId: data.eventId, users: [vector] });
      return { userId: data.userId, outcome: 'stored', items: stored.items.length };
    },
  };
}
