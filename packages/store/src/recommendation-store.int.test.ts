import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scriptSha, type RedisClient } from '@coldstart/config';
import { createRedisFixture, REDIS_KINDS, useRedis, type RedisFixture } from '@coldstart/testing';
import { CatalogStore, recommendationIdOf, RecommendationStore, storeKeys, type RecommendationList } from './index.js';
import { CLAIM_ITEMS, RELEASE_AND_CHECK, STORE_LIST } from './list-scripts.js';

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

/**
 * Runs a hook when `script` next runs on this client (once): before it (`before`, which may
 * throw, as a process dying there would) or after it has run (`after`).
 */
function onScript(redis: RedisClient, script: string, hook: { before?: () => Promise<void>; after?: () => Promise<void> }): { fired(): boolean } {
  const sha = scriptSha(script);
  const evalsha = redis.evalsha.bind(redis) as (...args: unknown[]) => Promise<unknown>;
  const evalScript = redis.eval.bind(redis) as (...args: unknown[]) => Promise<unknown>;
  let armed = true;
  const wrap =
    (run: (...args: unknown[]) => Promise<unknown>, matches: (first: unknown) => boolean) =>
    async (...args: unknown[]) => {
      if (!armed || !matches(args[0])) return run(...args);
      if (hook.before) {
        armed = false;
        await hook.before();
      }
      // A NOSCRIPT refusal (EVALSHA on a server without the script) leaves the hook armed for the EVAL that follows.
      const result = await run(...args);
      armed = false;
      await hook.after?.();
      return result;
    };
  redis.evalsha = wrap(evalsha, (first) => first === sha) as typeof redis.evalsha;
  // runScript falls back to EVAL on a server that has not cached the script yet.
  redis.eval = wrap(evalScript, (first) => first === script) as typeof redis.eval;
  return { fired: () => !armed };
}

/**
 * The store on one server and on a cluster, where a list is in its user's slot and the items'
 * records and by-item sets in the data slot.
 */
describe.each(REDIS_KINDS)('RecommendationStore on $redis', ({ masters }) => {
  const redis = useRedis(masters);

  describe('lists, seen sets and profiles', () => {
    let fx: RedisFixture;
    let catalog: CatalogStore;
    let store: RecommendationStore;
    beforeEach(async () => {
      fx = await createRedisFixture(redis.url());
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

    it('passes over a stored list that does not parse: a delete and a check leave it, and the next write replaces it', async () => {
      const keys = storeKeys(fx.prefix);
      await fx.redis.set(keys.recommendations('u1'), '{not json');
      await fx.redis.zadd(keys.listsByItem('i1'), 1, 'u1');
      expect(await store.dropDeletedItems('u1')).toBe(0);
      expect(await store.removeItemEverywhere('i1')).toBe(0);
      expect(await fx.redis.get(keys.recommendations('u1'))).toBe('{not json');
      await store.put(list('u1', ['i2'], 'ev2'));
      expect((await store.get('u1'))?.items.map((i) => i.itemId)).toEqual(['i2']);
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

  /**
   * The list write's three steps (list-scripts.ts) against deletes and other writes that land
   * between them, and against a process dying between them; on one server and on a cluster, where
   * the list is in the user's slot and the items' records and by-item sets in the data slot.
   */
  describe('list writes', () => {
    let fx: RedisFixture;
    let catalog: CatalogStore;
    /** The store under test; its client's scripts are hooked. */
    let store: RecommendationStore;
    /** Another process: the deletes and concurrent writes, on a client of its own. */
    let other: RedisFixture;
    let otherStore: RecommendationStore;
    const items = (userId: string) => store.get(userId).then((stored) => stored?.items.map((item) => item.itemId));
    const deleteItem = async (itemId: string) => {
      await new CatalogStore(other.redis, fx.prefix).delete({ itemId, occurredAt: '2026-01-02T00:00:00Z', eventId: `del-${itemId}` });
      return otherStore.removeItemEverywhere(itemId);
    };

    beforeEach(async () => {
      fx = await createRedisFixture(redis.url());
      other = await createRedisFixture(redis.url());
      catalog = new CatalogStore(fx.redis, fx.prefix);
      store = new RecommendationStore(fx.redis, fx.prefix);
      otherStore = new RecommendationStore(other.redis, fx.prefix);
      for (const id of ['i1', 'i2', 'i3']) {
        await catalog.upsert({ item: { itemId: id, title: id, authors: [], categories: [] }, occurredAt: '2026-01-01T00:00:00Z', eventId: `up-${id}`, ...vector });
      }
    });
    afterEach(async () => {
      await other.redis.quit();
      await fx.cleanup();
    });

    it("keeps a list and its events in the user's slot, and versions its by-item entries", async () => {
      const keys = storeKeys(fx.prefix);
      const userSlot = masters > 0 ? `{${fx.prefix.slice(1, -1)}:u:u1}` : fx.prefix;
      expect(keys.recommendations('u1')).toBe(`${userSlot}:recs:u1`);
      expect(keys.recommendationEvents('u1')).toBe(`${userSlot}:recs:u1:events`);
      expect(keys.listsByItem('i1').startsWith(`${fx.prefix}:`)).toBe(true);
      await store.put(list('u1', ['i1', 'i2'], 'ev1'));
      await store.put(list('u1', ['i2', 'i3'], 'ev2'));
      expect(await fx.redis.get(keys.listVersion('u1'))).toBe('2');
      expect(await fx.redis.zrange(keys.listsByItem('i1'), 0, -1)).toEqual([]);
      expect(await fx.redis.zscore(keys.listsByItem('i2'), 'u1')).toBe('2');
      expect(await fx.redis.zscore(keys.listsByItem('i3'), 'u1')).toBe('2');
      expect(await fx.redis.smembers(keys.recommendationEvents('u1'))).toEqual(expect.arrayContaining(['ev1', 'ev2']));
    });

    it('a delete between the check and the store: the check after storing takes the item out', async () => {
      onScript(fx.redis, CLAIM_ITEMS, { after: async () => expect(await deleteItem('i2')).toBe(0) });
      const stored = await store.put(list('u1', ['i1', 'i2', 'i3'], 'ev1'));
      expect(stored.items.map((item) => item.itemId)).toEqual(['i1', 'i3']);
      expect(await items('u1')).toEqual(['i1', 'i3']);
    });

    it('a delete between the store and the check: the delete finds the list', async () => {
      onScript(fx.redis, STORE_LIST, { after: async () => expect(await deleteItem('i2')).toBe(1) });
      await store.put(list('u1', ['i1', 'i2', 'i3'], 'ev1'));
      expect(await items('u1')).toEqual(['i1', 'i3']);
    });

    it('a write that died after storing, before its check, is checked by its retry', async () => {
      onScript(fx.redis, CLAIM_ITEMS, { after: async () => void (await deleteItem('i2')) });
      onScript(fx.redis, RELEASE_AND_CHECK, {
        before: async () => {
          throw new Error('the process died here');
        },
      });
      await expect(store.put(list('u1', ['i1', 'i2'], 'ev1'))).rejects.toThrow('the process died here');
      // The window the check closes: stored after the delete had looked for it.
      expect(await items('u1')).toEqual(['i1', 'i2']);
      const retried = await store.put(list('u1', ['i1', 'i2'], 'ev1'));
      expect(retried.items.map((item) => item.itemId)).toEqual(['i1']);
      expect(await items('u1')).toEqual(['i1']);
      expect(await store.repeatedEvents()).toBe(1);
    });

    it("an older write taking its previous items' entries out leaves those a newer write added", async () => {
      await store.put(list('u1', ['i1'], 'ev1'));
      // Write A replaces [i1] by [i2]; between its store and its release, write B replaces [i2] by [i1].
      onScript(fx.redis, STORE_LIST, { after: async () => void (await otherStore.put(list('u1', ['i1'], 'ev3'))) });
      await store.put(list('u1', ['i2'], 'ev2'));
      expect(await items('u1')).toEqual(['i1']);
      const keys = storeKeys(fx.prefix);
      expect(await fx.redis.zscore(keys.listsByItem('i1'), 'u1')).toBe('3');
      expect(await fx.redis.zrange(keys.listsByItem('i2'), 0, -1)).toEqual([]);
      // So deleting i1 still finds u1's list.
      expect(await deleteItem('i1')).toBe(1);
      expect(await items('u1')).toEqual([]);
    });

    it('a write that lost the race to another reads the list again and keeps its items indexed', async () => {
      await store.put(list('u1', ['i1'], 'ev1'));
      const race = onScript(fx.redis, CLAIM_ITEMS, { after: async () => void (await otherStore.put(list('u1', ['i3'], 'ev-between'))) });
      await store.put(list('u1', ['i2'], 'ev2'));
      expect(race.fired()).toBe(true);
      expect(await items('u1')).toEqual(['i2']);
      expect(await deleteItem('i2')).toBe(1);
      expect(await items('u1')).toEqual([]);
    });

    it('a by-item set as versions before 2026-12-07 kept it (a plain set) is still read on delete, then removed', async () => {
      const keys = storeKeys(fx.prefix);
      await fx.redis.set(keys.recommendations('u1'), JSON.stringify(list('u1', ['i1', 'i2'], 'ev-old')));
      await fx.redis.sadd(keys.legacyListsByItem('i2'), 'u1');
      expect(await deleteItem('i2')).toBe(1);
      expect(await items('u1')).toEqual(['i1']);
      expect(await fx.redis.exists(keys.legacyListsByItem('i2'))).toBe(0);
      // And the next write of that list (no version yet) starts at 1.
      await store.put(list('u1', ['i1', 'i3'], 'ev1'));
      expect(await fx.redis.get(keys.listVersion('u1'))).toBe('1');
    });
  });
});
