import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { CatalogStore, recommendationIdOf, RecommendationStore, storeKeys, type RecommendationList } from './index.js';

const vector = { encoder: 'e', dimension: 1, vector: Buffer.from(new Float32Array([1]).buffer).toString('base64') };
const list = (userId: string, itemIds: string[], eventId = 'ev1'): RecommendationList => ({
  userId,
  items: itemIds.map((itemId, i) => ({ itemId, title: `T${itemId}`, score: 1 - i / 10, reason: 'history' })),
  topics: ['history'],
  expansion: { source: 'catalog', expander: 'catalog-cooccurrence' },
  encoder: 'e',
  generatedAt: '2026-01-01T00:00:00.000Z',
  eventId,
});

describe('RecommendationStore', () => {
  let fx: RedisFixture;
  let catalog: CatalogStore;
  let store: RecommendationStore;
  beforeEach(async () => {
    fx = await createRedisFixture();
    catalog = new CatalogStore(fx.redis, fx.prefix);
    store = new RecommendationStore(fx.redis, fx.prefix);
    for (const id of ['i1', 'i2', 'i3']) {
      await catalog.upsert({ item: { itemId: id, title: id, authors: [], categories: [] }, occurredAt: '2026-01-01T00:00:00Z', eventId: `up-${id}`, ...vector });
    }
  });
  afterEach(() => fx.cleanup());

  it('stores and reads a list; unknown users read null', async () => {
    await store.put(list('u1', ['i1', 'i2']));
    expect((await store.get('u1'))?.items.map((i) => i.itemId)).toEqual(['i1', 'i2']);
    expect(await store.get('nobody')).toBeNull();
  });

  it('gives each list version its own recommendationId: the same for a retried event, another for the next', async () => {
    const first = await store.put(list('u1', ['i1', 'i2']));
    expect(first.recommendationId).toBe(recommendationIdOf('u1', list('u1', []).eventId));
    expect(first.recommendationId).toMatch(/^rec_[0-9a-f]{24}$/);
    expect((await store.put(list('u1', ['i1', 'i2']))).recommendationId).toBe(first.recommendationId);
    const next = await store.put(list('u1', ['i3'], 'ev2'));
    expect(next.recommendationId).not.toBe(first.recommendationId);
    expect((await store.get('u1'))?.recommendationId).toBe(next.recommendationId);
    expect(recommendationIdOf('u2', 'ev2')).not.toBe(next.recommendationId);
    // A list stored before lists carried the id reads with the id its event gives.
    await fx.redis.set(storeKeys(fx.prefix).recommendations('u9'), JSON.stringify(list('u9', ['i1'], 'ev-old')));
    expect((await store.get('u9'))?.recommendationId).toBe(recommendationIdOf('u9', 'ev-old'));
  });

  it('drops items deleted before the write, atomically with it', async () => {
    await catalog.delete({ itemId: 'i2', occurredAt: '2026-01-02T00:00:00Z', eventId: 'del' });
    const stored = await store.put(list('u1', ['i1', 'i2', 'i3']));
    expect(stored.items.map((i) => i.itemId)).toEqual(['i1', 'i3']);
    expect((await store.get('u1'))?.items.map((i) => i.itemId)).toEqual(['i1', 'i3']);
  });

  it('removes a deleted item from every list that holds it, and only from those', async () => {
    await store.put(list('u1', ['i1', 'i2']));
    await store.put(list('u2', ['i2', 'i3']));
    await store.put(list('u3', ['i3']));
    expect(await store.removeItemEverywhere('i2')).toBe(2);
    expect((await store.get('u1'))?.items.map((i) => i.itemId)).toEqual(['i1']);
    expect((await store.get('u2'))?.items.map((i) => i.itemId)).toEqual(['i3']);
    expect((await store.get('u3'))?.items.map((i) => i.itemId)).toEqual(['i3']);
  });

  it('forgets list membership of items a rewrite dropped', async () => {
    await store.put(list('u1', ['i1', 'i2']));
    await store.put(list('u1', ['i3'], 'ev2'));
    expect(await store.removeItemEverywhere('i1')).toBe(0);
    expect((await store.get('u1'))?.items.map((i) => i.itemId)).toEqual(['i3']);
  });

  it('reads the previous list again when another write replaced it in between, so its items still lose the user', async () => {
    await store.put(list('u1', ['i1']));
    const mget = fx.redis.mget.bind(fx.redis);
    let raced = false;
    // The first read of u1's list returns what was stored, and another write then replaces it.
    fx.redis.mget = (async (...keys: string[]) => {
      const values = await mget(...keys);
      if (!raced && keys[0]?.endsWith(':recs:u1')) {
        raced = true;
        await new RecommendationStore(fx.redis, fx.prefix).put(list('u1', ['i2'], 'ev-between'));
      }
      return values;
    }) as typeof fx.redis.mget;
    await store.put(list('u1', ['i3'], 'ev2'));
    fx.redis.mget = mget as typeof fx.redis.mget;
    expect(raced).toBe(true);
    expect((await store.get('u1'))?.items.map((i) => i.itemId)).toEqual(['i3']);
    const keys = storeKeys(fx.prefix);
    expect(await fx.redis.zrange(keys.listsByItem('i2'), 0, -1)).toEqual([]);
    expect(await fx.redis.zrange(keys.listsByItem('i3'), 0, -1)).toEqual(['u1']);
  });

  it('writes each event once: a retried write neither repeats nor overwrites a newer list', async () => {
    await store.put(list('u1', ['i1']));
    await store.put(list('u1', ['i2'], 'ev2'));
    expect(await store.repeatedEvents()).toBe(0);
    const repeated = await store.put(list('u1', ['i3'], 'ev1'));
    expect(repeated.items.map((i) => i.itemId)).toEqual(['i2']);
    expect((await store.get('u1'))?.eventId).toBe('ev2');
    expect(await store.repeatedEvents()).toBe(1);
    expect(await store.removeItemEverywhere('i3')).toBe(0);
  });

  it('keeps seen items and profiles', async () => {
    await store.markSeen('u1', ['i1', 'i2']);
    await store.markSeen('u1', ['i2']);
    expect([...(await store.seen('u1'))].sort()).toEqual(['i1', 'i2']);
    expect(await store.getProfile('u1')).toBeNull();
    const profile = { userId: 'u1', topics: ['a'], expansion: { source: 'catalog', expander: 'x' }, encoder: 'e', dimension: 1, vectors: ['AACAPw=='] };
    await store.putProfile(profile);
    expect(await store.getProfile('u1')).toEqual(profile);
  });
});
