import { Queue, type Worker } from 'bullmq';
import { BehaviourLog, BehaviourModel, Placement } from '@coldstart/behaviour';
import { AttributionStore, attributionMetrics } from '@coldstart/experiments';
import { Registry } from '@coldstart/runtime';
import { IndexLog, ReplicaSet, userIndexName } from '@coldstart/index-log';
import {
  createHops,
  createPipelineFlows,
  createPipelineProducer,
  fanoutEventId,
  fanoutWindow,
  isFanoutEventId,
  makeAttributeHandlers,
  makeFanoutHandlers,
  makeIndexHandlers,
  makeLearnHandlers,
  makeListBuilder,
  makeRecommendHandlers,
  makeUserVectorEntry,
  QUEUES,
  type EmbeddedItem,
  type EmbeddedTopics,
  type Queues,
  type RecommendDeps,
} from '@coldstart/pipeline';
import { bullPrefix, createPoolWorker, jobIdFor, QueuePartitions, type JobContext, type JobProducer } from '@coldstart/queues';
import { CatalogStore, FanoutStore, RecommendationStore, storeKeys } from '@coldstart/store';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * New-item fan-out on real parts: Redis (catalog, write-ahead logs, stores), BullMQ (the index
 * and recommend pools' workers run the user-vector writes, fan-outs and delayed rewrites) and
 * FAISS replicas. Items are upserted and users signed up through the pools' own handlers.
 */

const ENCODER = 'test-enc';
const DIMENSION = 8;
const WINDOW_MS = 2_000;
const DAY_MS = 86_400_000;

/** A unit-ish vector along axis `axis`, nudged by `tilt` towards axis 7 (so items differ). */
function along(axis: number, tilt = 0, other?: { axis: number; weight: number }): Float32Array {
  const v = new Float32Array(DIMENSION);
  v[axis] = 1;
  v[7] = tilt;
  if (other) v[other.axis] = other.weight;
  return v;
}
const base64 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

// Axis 0: space; 1: mystery; 2: cooking; 6: gardening. Each has a few catalog items.
const CATALOG: Record<string, Float32Array> = {
  ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`sf-${i}`, along(0, 0.05 * i)])),
  ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`mys-${i}`, along(1, 0.05 * i)])),
  ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`cook-${i}`, along(2, 0.05 * i)])),
};

describe('new-item fan-out', () => {
  let fx: RedisFixture;
  let catalog: CatalogStore;
  let indexLog: IndexLog;
  let recommendations: RecommendationStore;
  let fanout: FanoutStore;
  let producer: JobProducer<Queues>;
  let recommendQueue: Queue;
  const workers: Worker[] = [];
  let replicas: ReplicaSet;
  let frozenNow: number | undefined;
  /** The content → behaviour placement the list builder and the fan-out share; fitted by the last test. */
  let placement: Placement | undefined;
  let indexHandlers: ReturnType<typeof makeIndexHandlers>;
  let recommendHandlers: ReturnType<typeof makeRecommendHandlers>;
  let fanoutHandlers: ReturnType<typeof makeFanoutHandlers>;
  let occurred = Date.now();
  const nextOccurredAt = () => new Date((occurred += 1)).toISOString();

  const upsertItem = async (itemId: string, vector: Float32Array, categories: string[] = []) => {
    const embedded: EmbeddedItem = { encoder: ENCODER, dimension: DIMENSION, vector: base64(vector) };
    const context = { childResults: () => Promise.resolve([embedded]) } as unknown as JobContext;
    const eventId = `ev-${itemId}-${occurred}`;
    await indexHandlers['upsert-item']({ eventId, occurredAt: nextOccurredAt(), item: { itemId, title: `T ${itemId}`, authors: [], categories } }, context);
    return eventId;
  };

  const signup = async (userId: string, topics: [string, Float32Array][], seeds: string[], occurredAt = nextOccurredAt()) => {
    const embedded: EmbeddedTopics = {
      expansion: { topics: topics.map(([t]) => t), source: 'catalog', expander: 'test' },
      encoder: ENCODER,
      dimension: DIMENSION,
      vectors: topics.map(([, v]) => base64(v)),
    };
    const eventId = `signup-${userId}`;
    const context = { job: { attemptsMade: 0 }, childResults: () => Promise.resolve([{ signups: [{ eventId, ...embedded }] }]) } as unknown as JobContext;
    await recommendHandlers['recommend-user']({ signups: [{ eventId, occurredAt, userId, seeds: seeds.map((itemId) => ({ itemId })), categories: [] }] }, context);
  };

  const listEvents = async (userId: string) => fx.redis.smembers(storeKeys(fx.prefix).recommendationEvents(userId));
  const fanoutWrites = async (userId: string) => (await listEvents(userId)).filter(isFanoutEventId).length;

  /** The result of a finished job of the recommend queue, waiting for it to finish. */
  const finished = async (name: string, key: string): Promise<Record<string, unknown>> => {
    let result: Record<string, unknown> | undefined;
    await vi.waitFor(
      async () => {
        const job = await recommendQueue.getJob(jobIdFor(name, key));
        expect(job?.finishedOn, `${name} ${key}`).toBeDefined();
        expect(job?.failedReason).toBeUndefined();
        result = job?.returnvalue as Record<string, unknown>;
      },
      { timeout: 15_000, interval: 50 },
    );
    return result!;
  };

  beforeAll(async () => {
    fx = await createRedisFixture();
    catalog = new CatalogStore(fx.redis, fx.prefix);
    indexLog = new IndexLog(fx.redis, fx.prefix);
    recommendations = new RecommendationStore(fx.redis, fx.prefix);
    fanout = new FanoutStore(fx.redis, fx.prefix);
    producer = createPipelineProducer(fx.redis, new QueuePartitions(fx.prefix));
    const hops = createHops(producer, createPipelineFlows(fx.redis, new QueuePartitions(fx.prefix)));
    recommendQueue = new Queue('recommend', { connection: fx.redis, prefix: bullPrefix(fx.prefix) });
    replicas = new ReplicaSet(indexLog);
    const itemVector = (encoder: string, itemId: string) => replicas.forEncoder(encoder).index?.vectorView(itemId);
    const weights = { topic: 1, seed: 1, alsoLiked: 0, placement: 8, category: 0, popularity: 0, topicDecay: 0.5 };
    const deps: RecommendDeps = {
      replicas,
      catalog,
      recommendations,
      itemVector,
      ranking: { weights, mmrLambda: 1, unknownPopularity: 0, candidates: 50, maxSeeds: 20, exploration: { weight: 0, maxAgeDays: 30, maxLikes: 4, uptakeWeight: 0, seedWeight: 0, authorWeight: 0 }, excludeCategories: new Set() },
      topN: 5,
      placement: () => placement,
      userVectors: { entry: makeUserVectorEntry({ itemVector, weights }), record: hops.recordUserVectors },
      signupAlone: hops.signupAlone,
    };
    indexHandlers = makeIndexHandlers({ catalog, indexLog, recommendations, fanOut: hops.fanOutItem, seedArrived: hops.seedArrived, recordUserVectors: hops.recordUserVectors });
    recommendHandlers = makeRecommendHandlers(deps);
    fanoutHandlers = makeFanoutHandlers({
      replicas,
      indexLog,
      recommendations,
      fanout,
      buildList: makeListBuilder(deps),
      itemVector,
      placement: () => placement,
      schedule: hops.fanOutToUser,
      settings: { maxUsers: 10, minSimilarity: 0.5, activeWithinMs: 7 * DAY_MS, windowMs: WINDOW_MS },
      now: () => frozenNow ?? Date.now(),
    });
    const attributeHandlers = makeAttributeHandlers({ attribution: new AttributionStore(fx.redis, fx.prefix, { windowSeconds: 3_600, retentionDays: 1, positiveRating: 4 }), metrics: attributionMetrics(new Registry()) });
    const options = { connection: fx.redis, prefix: bullPrefix(fx.prefix), concurrency: 4 };
    workers.push(createPoolWorker(QUEUES.index, { ...indexHandlers, ...makeLearnHandlers({ behaviour: new BehaviourLog(fx.redis, fx.prefix) }) }, options), createPoolWorker(QUEUES.recommend, { ...recommendHandlers, ...fanoutHandlers, ...attributeHandlers }, options));
    for (const worker of workers) void worker.run();

    // The catalog first (no users yet: its fan-outs find nobody), then three users.
    for (const [itemId, vector] of Object.entries(CATALOG)) await upsertItem(itemId, vector);
    const space: [string, Float32Array] = ['space opera', along(0)];
    const robots: [string, Float32Array] = ['robots', along(0, 0, { axis: 3, weight: 1 })];
    await signup('alice', [space, robots], ['sf-1']);
    // Bob likes what alice likes, but his last activity was a month ago.
    await signup('bob', [space, robots], ['sf-1'], new Date(Date.now() - 30 * DAY_MS).toISOString());
    await signup('carol', [['home cooking', along(2)]], ['cook-1']);
    await vi.waitFor(async () => expect((await indexLog.walBounds(userIndexName(ENCODER))).appended).toBe(3), { timeout: 15_000, interval: 50 });
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await producer?.close();
    await recommendQueue?.close();
    await fx?.cleanup();
  });

  it('records each signed-up user’s interest vector and activity in the user index, through the single writer', async () => {
    const index = userIndexName(ENCODER);
    expect(await indexLog.userIndexNames()).toEqual([index]);
    // Kept out of the item indexes: an item delete must never reach the user log.
    expect(await indexLog.indexNames()).toEqual([ENCODER]);
    const activity = await indexLog.userActivity(index, ['alice', 'bob', 'carol', 'dave']);
    expect([...activity.keys()].sort()).toEqual(['alice', 'bob', 'carol']);
    expect(activity.get('bob')).toBeLessThan(Date.now() - 29 * DAY_MS);
    // A retried recording of the same vector appends nothing.
    const before = await indexLog.walBounds(index);
    const [entry] = (await indexLog.readWal(index, '0', 10)).filter((e) => e.itemId === 'alice');
    const again = await indexHandlers['upsert-user-vector'](
      { eventId: 'signup-alice', users: [{ eventId: 'signup-alice', occurredAt: new Date().toISOString(), userId: 'alice', encoder: ENCODER, dimension: DIMENSION, vector: entry?.op === 'upsert' ? entry.vector : '' }] },
      {} as JobContext,
    );
    expect(again.users.map((u) => u.outcome)).toEqual(['unchanged']);
    expect((await indexLog.walBounds(index)).appended).toBe(before.appended);
  });

  it('puts a new item close to an active user’s interests into their list, with the reason "new in <topic>"', async () => {
    const aliceBefore = await recommendations.get('alice');
    const bobBefore = await recommendations.get('bob');
    const carolBefore = await recommendations.get('carol');
    expect(aliceBefore?.items.map((i) => i.itemId)).not.toContain('sf-new');
    const eventId = await upsertItem('sf-new', along(0, 0.01));
    expect(await finished('fanout-item', eventId)).toEqual({ itemId: 'sf-new', outcome: 'fanned-out', users: 1 });

    await vi.waitFor(async () => expect((await recommendations.get('alice'))?.items.map((i) => i.itemId)).toContain('sf-new'), { timeout: 15_000, interval: 50 });
    const alice = await recommendations.get('alice');
    expect(alice?.items.find((i) => i.itemId === 'sf-new')?.reason).toBe('new in space opera');
    // The rest of the list is ranked as usual; only the new item is labelled new.
    expect(alice?.items.filter((i) => i.reason.startsWith('new in '))).toHaveLength(1);
    expect(isFanoutEventId(alice?.eventId ?? '')).toBe(true);
    expect(await fanoutWrites('alice')).toBe(1);
    expect((await fanout.pending('alice')).size).toBe(0);
    // Bob is as close but inactive; carol is active but far: neither list was touched.
    expect(await recommendations.get('bob')).toEqual(bobBefore);
    expect(await recommendations.get('carol')).toEqual(carolBefore);
    expect((await fanout.pending('bob')).size).toBe(0);
    expect(await listEvents('bob')).toEqual(['signup-bob']);
  });

  it('leaves lists alone for an unrelated item, and for a close one that does not make the top N', async () => {
    const before = await recommendations.get('alice');
    const unrelated = await upsertItem('garden-1', along(6));
    expect(await finished('fanout-item', unrelated)).toEqual({ itemId: 'garden-1', outcome: 'no-users', users: 0 });

    // Close enough to alice to be considered (cosine ≈ 0.6), too weak to beat her space books.
    frozenNow = Date.now();
    const window = fanoutWindow(frozenNow, WINDOW_MS);
    const weak = await upsertItem('sf-weak', along(0, 0, { axis: 6, weight: 1.3 }));
    expect(await finished('fanout-item', weak)).toMatchObject({ outcome: 'fanned-out', users: 1 });
    frozenNow = undefined;
    expect(await finished('fanout-user', fanoutEventId('alice', window))).toEqual({ userId: 'alice', outcome: 'unchanged', newItems: [] });
    expect(await recommendations.get('alice')).toEqual(before);
    expect(await fanoutWrites('alice')).toBe(1);
    expect((await fanout.pending('alice')).size).toBe(0);
  });

  it('rewrites a list once for a burst of 20 related items within a window, never with a deleted item', async () => {
    await indexHandlers['delete-item']({ eventId: 'del-sf-new', occurredAt: nextOccurredAt(), itemId: 'sf-new' }, {} as JobContext);
    expect((await recommendations.get('alice'))?.items.map((i) => i.itemId)).not.toContain('sf-new');
    const writesBefore = await fanoutWrites('alice');
    const puts = vi.spyOn(recommendations, 'put');

    // Every fan-out of the burst sees the same moment: the window's start.
    frozenNow = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS + 1;
    const window = fanoutWindow(frozenNow, WINDOW_MS);
    const events = [];
    for (let i = 0; i < 20; i++) events.push(await upsertItem(`burst-${i}`, along(0, 0.001 * (i + 1))));
    for (const eventId of events) expect(await finished('fanout-item', eventId)).toMatchObject({ outcome: 'fanned-out', users: 1 });
    frozenNow = undefined;

    const result = await finished('fanout-user', fanoutEventId('alice', window));
    expect(result.outcome).toBe('stored');
    const alice = await recommendations.get('alice');
    expect(alice?.eventId).toBe(fanoutEventId('alice', window));
    const fresh = alice?.items.filter((i) => i.itemId.startsWith('burst-')) ?? [];
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((i) => i.reason === 'new in space opera')).toBe(true);
    expect(alice?.items.map((i) => i.itemId)).not.toContain('sf-new');
    // Exactly one rewrite: one more fan-out event in the store, one put, nothing left pending.
    expect(await fanoutWrites('alice')).toBe(writesBefore + 1);
    expect(puts.mock.calls.filter(([list]) => list.userId === 'alice')).toHaveLength(1);
    expect((await fanout.pending('alice')).size).toBe(0);
    expect(await listEvents('bob')).toEqual(['signup-bob']);
    puts.mockRestore();
  });

  it('keeps the user index across a replica restart: a new replica replays it from the log', async () => {
    const index = userIndexName(ENCODER);
    const live = replicas.forIndex(index);
    await live.catchUp();
    const restarted = new ReplicaSet(new IndexLog(fx.redis, fx.prefix)).forIndex(index);
    await restarted.catchUp();
    expect(restarted.startedFrom).toBeUndefined();
    expect(restarted.index?.size).toBe(3);
    expect(restarted.position).toBe(live.position);
    for (const userId of ['alice', 'bob', 'carol']) expect([...(restarted.index?.vector(userId) ?? [])]).toEqual([...(live.index?.vector(userId) ?? [])]);
    expect(restarted.index?.search(along(0), 2).map((hit) => hit.id).sort()).toEqual(['alice', 'bob']);
  });

  it('reaches the readers of the books a new item is placed among, though no reader’s interests read like it', async () => {
    // Readers who cook also garden: each likes a cooking book, a gardening one, then another
    // cooking book (each like after the first is paired: it teaches co-occurrence); space and
    // mystery readers keep to their own shelves. garden-1 and sf-weak stay untouched.
    const gardening = ['garden-w1', 'garden-w2', 'garden-w3'];
    for (const [i, itemId] of gardening.entries()) {
      // Before the placement, their text reaches nobody.
      expect(await finished('fanout-item', await upsertItem(itemId, along(6, 0.05 * (i + 1))))).toMatchObject({ outcome: 'no-users' });
    }
    const model = new BehaviourModel({ halfLifeMs: 0 });
    const like = (userId: string, itemId: string, partners: string[]) => model.apply({ kind: 'like', itemId, userId, atMs: 0, partners, categories: [] });
    for (let r = 0; r < 12; r++) {
      const [cook, garden, cookAgain] = [`cook-${(r % 6) + 1}`, gardening[r % 3] as string, `cook-${((r + 1) % 6) + 1}`];
      like(`gardener-${r}`, cook, []);
      like(`gardener-${r}`, garden, [cook]);
      like(`gardener-${r}`, cookAgain, [cook, garden]);
      for (const shelf of ['sf', 'mys']) {
        like(`${shelf}-reader-${r}`, `${shelf}-${(r % 6) + 1}`, []);
        like(`${shelf}-reader-${r}`, `${shelf}-${((r + 1) % 6) + 1}`, [`${shelf}-${(r % 6) + 1}`]);
      }
    }
    const items = replicas.forEncoder(ENCODER);
    await items.catchUp();
    placement = Placement.fit(items.index as NonNullable<typeof items.index>, model, { minLikes: 1, anchors: 24, ridge: 0.01, minTrainingItems: 6 });
    expect(placement).toBeDefined();

    // Like garden-1, its text is far from every user's interests; its predicted readers cook.
    frozenNow = Date.now();
    const window = fanoutWindow(frozenNow, WINDOW_MS);
    const eventId = await upsertItem('garden-new', along(6, 0.02));
    expect(await finished('fanout-item', eventId)).toEqual({ itemId: 'garden-new', outcome: 'fanned-out', users: 1 });
    frozenNow = undefined;
    expect(await finished('fanout-user', fanoutEventId('carol', window))).toEqual({ userId: 'carol', outcome: 'stored', newItems: ['garden-new'] });
    const carol = await recommendations.get('carol');
    expect(carol?.items.find((i) => i.itemId === 'garden-new')?.reason).toBe('new in home cooking');
    expect(carol?.placementVersion).toBe(placement?.version);
    expect((await recommendations.get('alice'))?.items.map((i) => i.itemId)).not.toContain('garden-new');
  });

  it('skips a user without a profile, and refuses bad input for good', async () => {
    await fanout.record('ghost', ['sf-2'], 7);
    expect(await fanoutHandlers['fanout-user']({ userId: 'ghost', window: 7 }, {} as JobContext)).toEqual({ userId: 'ghost', outcome: 'no-profile', newItems: [] });
    expect((await fanout.pending('ghost')).size).toBe(0);

    const item = { eventId: 'ev-bad', occurredAt: nextOccurredAt(), itemId: 'x' };
    const unknown = fanoutHandlers['fanout-item']({ ...item, encoder: 'no-such-encoder', dimension: DIMENSION, vector: base64(along(0)) }, {} as JobContext);
    await expect(unknown).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/no-such-encoder.*no item index/) });
    const four = new Float32Array([1, 0, 0, 0]);
    const mismatch = fanoutHandlers['fanout-item']({ ...item, encoder: ENCODER, dimension: 4, vector: base64(four) }, {} as JobContext);
    await expect(mismatch).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/4-dimensional.*8-dimensional/) });
    const garbled = fanoutHandlers['fanout-item']({ ...item, encoder: ENCODER, dimension: DIMENSION, vector: base64(four) }, {} as JobContext);
    await expect(garbled).rejects.toMatchObject({ name: 'PermanentError' });
    const user = { eventId: 'ev-bad-user', occurredAt: nextOccurredAt(), userId: 'dave', encoder: ENCODER };
    const alone = (vector: Omit<typeof user, never> & { dimension: number; vector: string }) => indexHandlers['upsert-user-vector']({ eventId: vector.eventId, users: [vector] }, {} as JobContext);
    await expect(alone({ ...user, dimension: 4, vector: base64(four) })).rejects.toMatchObject({
      name: 'PermanentError',
      message: expect.stringMatching(/holds 8-dimensional.*4-dimensional/),
    });
    await expect(alone({ ...user, dimension: DIMENSION, vector: base64(four) })).rejects.toMatchObject({ name: 'PermanentError' });
  });
});
