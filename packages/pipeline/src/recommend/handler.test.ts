import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BehaviourModel } from '@coldstart/behaviour';
import { encodeVectorBase64 } from '@coldstart/embeddings';
import { ReplicaSet, type WalEntry } from '@coldstart/index-log';
import type { JobContext } from '@coldstart/queues';
import type { CatalogItemRecord, RecommendationList, UserProfile } from '@coldstart/store';
import type { EmbeddedTopics } from '../embed/jobs.js';
import { SEED_WAIT_RETRIES } from '../seed-wait.js';
import { makeRecommendHandlers, type RecommendDeps } from './handler.js';
import { MAX_SEED_ITEMS } from './user-vector.js';

const v = (...xs: number[]) => new Float32Array(xs);
const ENCODER = 'test-enc';

/** A 3-d catalog: "seed" and its twin point east, "north" is the topic's direction, "south" and "polar" are far from both but close to each other. */
const VECTORS: Record<string, Float32Array> = {
  seed: v(1, 0, 0),
  twin: v(0.99, 0.05, 0),
  north: v(0.1, 1, 0),
  tropic: v(0.6, 0.8, 0),
  south: v(0, -1, 0.2),
  gore: v(0.98, 0, 0.1),
  polar: v(0, -0.9, 1),
};
const CATEGORIES: Record<string, string[]> = { gore: ['horror'] };
/** The seed and polar share an author. */
const AUTHORS: Record<string, string[]> = { seed: ['A. Writer'], polar: ['A. Writer'] };
/** When items were first upserted; the others are older than any exploration cut-off (unknown). */
const ADDED_AT: Record<string, number> = { gore: Date.parse('2025-12-31T00:00:00Z'), polar: Date.parse('2025-12-31T00:00:00Z') };
const NO_EXPLORATION = { weight: 0, maxAgeDays: 30, maxLikes: 4, uptakeWeight: 0, seedWeight: 0, authorWeight: 0 };
/** Content signals only, in score order, without exploration; tests override what they exercise. */
const RANKING: RecommendDeps['ranking'] = {
  weights: { topic: 1, seed: 1, alsoLiked: 0, placement: 0, category: 0, popularity: 0, topicDecay: 0.5 },
  mmrLambda: 1,
  unknownPopularity: 0.5,
  candidates: 10,
  maxSeeds: MAX_SEED_ITEMS,
  exploration: NO_EXPLORATION,
  excludeCategories: new Set(),
};

function harness(overrides: Partial<RecommendDeps> = {}) {
  const wal: WalEntry[] = Object.entries(VECTORS).map(([itemId, vector], i) => ({
    id: `${i + 1}-0`,
    op: 'upsert',
    itemId,
    encoder: ENCODER,
    dimension: 3,
    vector: encodeVectorBase64(vector),
  }));
  const replicas = new ReplicaSet({ readWal: (_index, after) => Promise.resolve(after === '0' ? wal : []) });
  const seen = new Map<string, Set<string>>();
  const profiles = new Map<string, UserProfile>();
  const stored: RecommendationList[] = [];
  const awaited: string[] = [];
  const splitOff: string[] = [];
  const deps: RecommendDeps = {
    replicas,
    catalog: {
      getItems: (ids) =>
        Promise.resolve(
          new Map(
            ids
              .filter((id) => VECTORS[id])
              .map((id): [string, CatalogItemRecord] => [id, { itemId: id, title: `T-${id}`, authors: AUTHORS[id] ?? [], categories: CATEGORIES[id] ?? [], ...(ADDED_AT[id] ? { addedAt: ADDED_AT[id] } : {}) }]),
          ),
        ),
    },
    recommendations: {
      markSeen: (userId, ids) => Promise.resolve(void seen.set(userId, new Set([...(seen.get(userId) ?? []), ...ids]))),
      seen: (userId) => Promise.resolve(new Set(seen.get(userId) ?? [])),
      putProfile: (profile) => Promise.resolve(void profiles.set(profile.userId, profile)),
      getProfile: (userId) => Promise.resolve(profiles.get(userId) ?? null),
      put: (list) => Promise.resolve((stored.push(list), list)),
      awaitItems: (userId, ids) => Promise.resolve(void awaited.push(...ids.map((id) => `${userId}:${id}`))),
    },
    itemVector: (encoder, itemId) => (encoder === ENCODER ? VECTORS[itemId] : undefined),
    ranking: RANKING,
    topN: 3,
    now: () => new Date('2026-01-01T00:00:00Z'),
    signupAlone: (signup) => Promise.resolve(void splitOff.push(signup.eventId)),
    ...overrides,
  };
  return { handlers: makeRecommendHandlers(deps), stored, awaited, splitOff };
}

const embedded: EmbeddedTopics = {
  expansion: { topics: ['up north'], source: 'catalog', expander: 'catalog-cooccurrence-v1' },
  encoder: ENCODER,
  dimension: 3,
  vectors: [encodeVectorBase64(v(0, 1, 0))],
};
/** A job past its seed wait: an unindexed seed no longer holds the list back. */
const job = { attemptsMade: SEED_WAIT_RETRIES };
const context = { job, childResults: () => Promise.resolve([embedded]) } as unknown as JobContext;
const signup = { eventId: 'ev-1', occurredAt: '2026-01-01T00:00:00.000Z', userId: 'u1', seedItemIds: ['seed'], categories: [] as string[] };
const noTopics: EmbeddedTopics = { ...embedded, expansion: { ...embedded.expansion, topics: [] }, vectors: [] };
const silent = pino({ level: 'silent' });

type SignupFields = typeof signup;

/** recommend-user for a batch of signups, each with embedded topics `topics` (none: split off upstream), in a job past `attemptsMade` attempts. */
function recommendBatch(handlers: ReturnType<typeof harness>['handlers'], signups: SignupFields[], options: { topics?: (s: SignupFields) => EmbeddedTopics | undefined; attemptsMade?: number } = {}) {
  const data = { signups: signups.map(({ seedItemIds, ...rest }) => ({ ...rest, seeds: seedItemIds.map((itemId) => ({ itemId })) })) };
  const topics = options.topics ?? (() => embedded);
  const embeddedSignups = signups.flatMap((s) => {
    const t = topics(s);
    return t ? [{ eventId: s.eventId, ...t }] : [];
  });
  const batchContext = { job: { attemptsMade: options.attemptsMade ?? SEED_WAIT_RETRIES }, logger: silent, childResults: () => Promise.resolve([{ signups: embeddedSignups }]) } as unknown as JobContext;
  return handlers['recommend-user'](data, batchContext);
}

/** recommend-user for one signup (a batch of one). */
function recommendOne(handlers: ReturnType<typeof harness>['handlers'], one: SignupFields, options: { topics?: EmbeddedTopics; attemptsMade?: number } = {}) {
  const { topics = embedded, attemptsMade } = options;
  return recommendBatch(handlers, [one], { topics: () => topics, ...(attemptsMade !== undefined ? { attemptsMade } : {}) });
}

describe('recommend pool ranking', () => {
  it('fuses the seed’s own neighbours with the topics’, never returns the seed, and keeps each item’s reason', async () => {
    const { handlers, stored } = harness();
    await recommendOne(handlers, signup);
    const [list] = stored;
    // Seed + topic cosines: tropic 0.6 + 0.8, north 0.1 + 0.99, twin 0.99 + 0.05, gore 0.99 + 0.
    expect(list?.items.map((i) => i.itemId)).toEqual(['tropic', 'north', 'twin']);
    expect(list?.items.map((i) => i.reason)).toEqual(['up north', 'up north', 'seed:seed']);
    expect(list?.items.map((i) => i.title)).toEqual(['T-tropic', 'T-north', 'T-twin']);
  });

  it('drops excluded categories and lets the popularity prior reorder', async () => {
    // Only north was ever liked: its prior is 1, every other item's unknown (0 here).
    const model = new BehaviourModel({ halfLifeMs: 0 });
    model.apply({ kind: 'like', itemId: 'north', userId: 'other', atMs: 0, partners: [], categories: [] });
    const { handlers, stored } = harness({
      behaviour: { catchUp: () => Promise.resolve(), model },
      ranking: { ...RANKING, weights: { ...RANKING.weights, popularity: 2 }, unknownPopularity: 0, excludeCategories: new Set(['horror']) },
    });
    await recommendOne(handlers, signup);
    expect(stored[0]?.items.map((i) => i.itemId)).toEqual(['north', 'tropic', 'twin']);
  });

  it('keeps the first slot for a new item when exploration is on, saying so in its reason, unless everything the user named is new', async () => {
    const exploring = { ...RANKING, unknownPopularity: 0, exploration: { ...NO_EXPLORATION, weight: 0.3 } };
    const model = new BehaviourModel({ halfLifeMs: 0 });
    const { handlers, stored } = harness({ behaviour: { catchUp: () => Promise.resolve(), model }, ranking: exploring });
    await recommendOne(handlers, signup);
    // gore and polar, added a day before, are new; gore is closer to the seed: slot 1 of 3 (ceil(0.3 × 1) = 1).
    expect(stored[0]?.items.map((i) => `${i.itemId} ${i.reason}`)).toEqual(['gore exploring', 'tropic up north', 'north up north']);

    // By the seed's author, polar outranks the closer gore for the slot once authors count.
    const byAuthor = harness({ behaviour: { catchUp: () => Promise.resolve(), model }, ranking: { ...exploring, exploration: { ...exploring.exploration, authorWeight: 10 } } });
    await recommendOne(byAuthor.handlers, signup);
    expect(byAuthor.stored[0]?.items[0]?.itemId).toBe('polar');

    // A signup naming only gore, itself new: its list is ranked on evidence, polar gets no slot.
    await recommendOne(handlers, { ...signup, eventId: 'ev-new', userId: 'u-new', seedItemIds: ['gore'] });
    expect(stored[1]?.items.map((i) => i.reason)).not.toContain('exploring');
    expect(stored[1]?.items.map((i) => i.itemId)).not.toContain('polar');
  });

  it('treats an interacted item as one more seed on refresh, and never recommends it', async () => {
    const { handlers, stored } = harness({ topN: 10 });
    await recommendOne(handlers, signup);
    expect(stored[0]?.items.find((i) => i.itemId === 'polar')?.reason).toBe('seed:seed');
    await handlers['refresh-user']({ eventId: 'ev-2', occurredAt: '2026-01-01T00:00:01.000Z', userId: 'u1', itemId: 'south' }, context);
    const refreshed = stored[1]?.items ?? [];
    expect(refreshed.map((i) => i.itemId)).not.toContain('south');
    expect(refreshed.map((i) => i.itemId)).not.toContain('seed');
    // Only south, now a seed, is close to polar.
    expect(refreshed.find((i) => i.itemId === 'polar')?.reason).toBe('seed:south');
  });

  it('searches at most MAX_SEED_ITEMS seed items, however many the user has seen', async () => {
    const looked = new Set<string>();
    const many = Array.from({ length: 30 }, (_, i) => `extra-${String(i).padStart(2, '0')}`);
    const { handlers } = harness({
      itemVector: (encoder, itemId) => {
        looked.add(itemId);
        return encoder === ENCODER ? (VECTORS[itemId] ?? v(0, 0, 1)) : undefined;
      },
    });
    await recommendOne(handlers, { ...signup, seedItemIds: ['seed', ...many] });
    expect([...looked].filter((id) => id.startsWith('extra-'))).toHaveLength(MAX_SEED_ITEMS);
  });

  it('serves a user none of whose topics the encoder knew from their seed items alone', async () => {
    const { handlers, stored } = harness();
    await recommendOne(handlers, signup, { topics: noTopics });
    expect(stored[0]?.items.length).toBeGreaterThan(0);
    expect(stored[0]?.items.every((i) => i.reason === 'seed:seed')).toBe(true);
    const error = await recommendOne(handlers, { ...signup, userId: 'u2', seedItemIds: [] }, { topics: noTopics }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/nothing to recommend from/);
  });

  it('waits a bounded number of attempts for a seed the index does not hold, then serves without it and remembers to rebuild', async () => {
    const model = new BehaviourModel({ halfLifeMs: 0 });
    for (const [itemId, userId] of [['north', 'a'], ['north', 'b'], ['twin', 'c']] as const) model.apply({ kind: 'like', itemId, userId, atMs: 0, partners: [], categories: ['travel'] });
    const { handlers, stored, awaited } = harness({ behaviour: { catchUp: () => Promise.resolve(), model } });
    const pending = { ...signup, seedItemIds: ['not-yet'], categories: ['Travel'] };
    await expect(recommendOne(handlers, pending, { topics: noTopics, attemptsMade: 0 })).rejects.toThrow(/not in the test-enc index yet: not-yet/);
    expect(stored).toHaveLength(0);

    await recommendOne(handlers, pending, { topics: noTopics });
    // No topic and no indexed seed: the user's category's popular items, best first.
    expect(stored[0]?.items.map((i) => [i.itemId, i.reason])).toEqual([
      ['north', 'popular-in:travel'],
      ['twin', 'popular-in:travel'],
    ]);
    expect(awaited).toEqual(['u1:not-yet']);
  });

  it('ranks the seed’s co-occurrence neighbours with the reason also-liked', async () => {
    const model = new BehaviourModel({ halfLifeMs: 0 });
    // Two readers liked the seed and then south: south is the seed's strongest co-like.
    for (const userId of ['a', 'b']) {
      model.apply({ kind: 'like', itemId: 'seed', userId, atMs: 0, partners: [], categories: [] });
      model.apply({ kind: 'like', itemId: 'south', userId, atMs: 0, partners: ['seed'], categories: [] });
    }
    const { handlers, stored } = harness({
      behaviour: { catchUp: () => Promise.resolve(), model },
      ranking: { ...RANKING, weights: { ...RANKING.weights, alsoLiked: 3 }, unknownPopularity: 0 },
    });
    await recommendOne(handlers, signup);
    expect(stored[0]?.items[0]).toMatchObject({ itemId: 'south', reason: 'also-liked:seed' });
  });
});

describe('recommend-user on a batch of signups', () => {
  const other = { ...signup, eventId: 'ev-b', userId: 'u-b' };

  it('stores a list for each signup and hands their interest vectors to the index pool in one job', async () => {
    const recorded: { eventId: string; users: string[] }[] = [];
    const { handlers, stored } = harness({
      userVectors: {
        entry: (profile, event) => ({ ...event, userId: profile.userId, encoder: profile.encoder, dimension: 3, vector: encodeVectorBase64(v(0, 1, 0)) }),
        record: (data) => Promise.resolve(void recorded.push({ eventId: data.eventId, users: data.users.map((u) => u.userId) })),
      },
    });
    const result = await recommendBatch(handlers, [signup, other]);
    expect(stored.map((list) => list.userId).sort()).toEqual(['u-b', 'u1']);
    expect(result.signups.map((s) => [s.eventId, s.outcome])).toEqual([
      ['ev-1', 'stored'],
      ['ev-b', 'stored'],
    ]);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.eventId).toMatch(/^signups:[0-9a-f]{40}$/);
    expect(recorded[0]?.users.sort()).toEqual(['u-b', 'u1']);
  });

  it('hands a signup that fails to a flow of its own and serves the rest', async () => {
    const { handlers, stored, splitOff } = harness();
    const waiting = { ...other, seedItemIds: ['not-yet'] };
    const result = await recommendBatch(handlers, [signup, waiting], { attemptsMade: 0 });
    expect(splitOff).toEqual(['ev-b']);
    expect(stored.map((list) => list.userId)).toEqual(['u1']);
    expect(result.signups.map((s) => s.eventId)).toEqual(['ev-1']);
  });

  it('retries the whole job when every signup failed for a reason that may pass', async () => {
    const { handlers, stored, splitOff } = harness();
    const waiting = [
      { ...signup, seedItemIds: ['not-yet'] },
      { ...other, seedItemIds: ['not-yet'] },
    ];
    await expect(recommendBatch(handlers, waiting, { attemptsMade: 0 })).rejects.toThrow(/not in the test-enc index yet/);
    expect(splitOff).toEqual([]);
    expect(stored).toHaveLength(0);
  });

  it('leaves out a signup an earlier stage split off', async () => {
    const { handlers, stored, splitOff } = harness();
    const result = await recommendBatch(handlers, [signup, other], { topics: (s) => (s.eventId === 'ev-b' ? undefined : embedded) });
    expect(stored.map((list) => list.userId)).toEqual(['u1']);
    expect(result.signups.map((s) => s.eventId)).toEqual(['ev-1']);
    expect(splitOff).toEqual([]);
  });
});
