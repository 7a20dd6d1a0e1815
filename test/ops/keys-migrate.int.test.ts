import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore, storeKeys } from '@coldstart/store';
import { createRedisFixture, startRedisCluster, type LocalRedisCluster, type RedisFixture } from '@coldstart/testing';
import { migrateKeys } from '../../apps/ops/src/keys/keys-migrate.ts';

/**
 * `coldstart keys migrate` on a real 3-master cluster: a deployment's per-user keys written
 * under the data slot's old names move to each user's own slot, with their values and TTLs; a
 * seen set or list-event set the apps already started anew is merged, a newer profile or list
 * kept, the lists indexed by item left where they are; a second run finds nothing, and on one
 * server nothing moves.
 */
describe('coldstart keys migrate', () => {
  let cluster: LocalRedisCluster;
  let fx: RedisFixture;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, dir: await mkdtemp(join(tmpdir(), 'coldstart-keys-')) });
    fx = await createRedisFixture(cluster.url);
  });
  afterAll(async () => {
    await fx?.cleanup();
    await cluster?.stop();
  });

  it("moves seen sets, profiles and fan-out state into the users' own slots, merging what the apps already wrote", async () => {
    const old = (userId: string, kind: string) => `${fx.prefix}:user:${userId}:${kind}`;
    const keys = storeKeys(fx.prefix);
    const users = Array.from({ length: 30 }, (_, i) => `reader:${i}`);
    for (const userId of users) {
      await fx.redis.sadd(old(userId, 'seen'), 'a', 'b');
      await fx.redis.set(old(userId, 'profile'), JSON.stringify({ userId, topics: ['old'] }));
      await fx.redis.zadd(old(userId, 'fanout-pending'), 7, 'item-1');
      await fx.redis.expire(old(userId, 'fanout-pending'), 3_600);
    }
    // Likes stay with the behaviour log's single writer, in the data slot.
    await fx.redis.sadd(old('reader:0', 'liked'), 'a');
    // The apps (already upgraded) wrote under the new names for one user.
    await fx.redis.sadd(keys.seen('reader:1'), 'c');
    await fx.redis.set(keys.profile('reader:1'), JSON.stringify({ userId: 'reader:1', topics: ['new'] }));

    const config = { REDIS_URL: cluster.url, COLDSTART_PREFIX: fx.prefix };
    expect(await migrateKeys(config, { dryRun: true })).toEqual({ dryRun: true, found: 90, moved: 0, merged: 0, superseded: 0 });
    expect(await fx.redis.exists(old('reader:0', 'seen'))).toBe(1);

    expect(await migrateKeys(config, { dryRun: false })).toEqual({ dryRun: false, found: 90, moved: 88, merged: 1, superseded: 1 });
    for (const userId of users) {
      for (const kind of ['seen', 'profile', 'fanout-pending']) expect(await fx.redis.exists(old(userId, kind)), `${userId} ${kind}`).toBe(0);
      expect((await fx.redis.smembers(keys.seen(userId))).sort()).toEqual(userId === 'reader:1' ? ['a', 'b', 'c'] : ['a', 'b']);
      expect(JSON.parse((await fx.redis.get(keys.profile(userId)))!).topics).toEqual(userId === 'reader:1' ? ['new'] : ['old']);
      expect(await fx.redis.zscore(keys.fanoutPending(userId), 'item-1')).toBe('7');
      const ttl = await fx.redis.ttl(keys.fanoutPending(userId));
      expect(ttl).toBeGreaterThan(3_000);
      expect(ttl).toBeLessThanOrEqual(3_600);
    }
    expect(await fx.redis.smembers(old('reader:0', 'liked'))).toEqual(['a']);

    expect(await migrateKeys(config, { dryRun: false })).toEqual({ dryRun: false, found: 0, moved: 0, merged: 0, superseded: 0 });
  });

  it("moves users' lists and their event sets, keeping a list the apps already wrote and merging event sets", async () => {
    // A prefix of its own, so the counts are this case's alone.
    const own = await createRedisFixture(cluster.url);
    try {
      const old = (userId: string) => `${own.prefix}:recs:${userId}`;
      const keys = storeKeys(own.prefix);
      expect(keys.recommendations('u1')).not.toBe(old('u1'));
      const list = (userId: string, eventId: string) => JSON.stringify({ userId, items: [{ itemId: 'item-1' }, { itemId: 'item-2' }], eventId });
      // item-2 was deleted after the upgrade, before the migration: its delete looked for the lists under their new names.
      const catalog = new CatalogStore(own.redis, own.prefix);
      const vector = { encoder: 'e', dimension: 1, vector: Buffer.from(new Float32Array([1]).buffer).toString('base64') };
      for (const itemId of ['item-1', 'item-2']) {
        await catalog.upsert({ item: { itemId, title: itemId, authors: [], categories: [] }, occurredAt: '2026-01-01T00:00:00Z', eventId: `up-${itemId}`, ...vector });
      }
      await catalog.delete({ itemId: 'item-2', occurredAt: '2026-01-02T00:00:00Z', eventId: 'del-item-2' });
      // A user id may hold ':' and end in ':events': `<prefix>:recs:odd:events` is odd:events's list, not odd's events.
      const users = ['u1', 'org:u2', 'odd:events', 'fresh'];
      for (const userId of users) {
        await own.redis.set(old(userId), list(userId, 'ev-old'));
        await own.redis.sadd(`${old(userId)}:events`, 'ev-old');
      }
      await own.redis.pexpire(old('u1'), 3_600_000);
      // The apps (already upgraded) wrote a newer list, and its event, for one user.
      await own.redis.set(keys.recommendations('fresh'), list('fresh', 'ev-new'));
      await own.redis.sadd(keys.recommendationEvents('fresh'), 'ev-new');
      // Lists by item stay in the data slot, an item id ending in ':events' included.
      const byItem = [keys.legacyListsByItem('item-1'), keys.legacyListsByItem('item:events')];
      for (const key of byItem) await own.redis.sadd(key, 'u1');

      const config = { REDIS_URL: cluster.url, COLDSTART_PREFIX: own.prefix };
      expect(await migrateKeys(config, { dryRun: true })).toEqual({ dryRun: true, found: 8, moved: 0, merged: 0, superseded: 0 });
      expect(await own.redis.exists(old('u1'))).toBe(1);

      expect(await migrateKeys(config, { dryRun: false })).toEqual({ dryRun: false, found: 8, moved: 6, merged: 1, superseded: 1 });
      for (const userId of users) {
        expect(await own.redis.exists(old(userId), `${old(userId)}:events`), userId).toBe(0);
        const moved = JSON.parse((await own.redis.get(keys.recommendations(userId)))!) as { eventId: string; items: { itemId: string }[] };
        expect(moved, userId).toMatchObject({ userId, eventId: userId === 'fresh' ? 'ev-new' : 'ev-old' });
        // Moved lists lose the item deleted meanwhile; the apps' own list is theirs.
        expect(moved.items.map((item) => item.itemId), userId).toEqual(userId === 'fresh' ? ['item-1', 'item-2'] : ['item-1']);
        expect((await own.redis.smembers(keys.recommendationEvents(userId))).sort(), userId).toEqual(userId === 'fresh' ? ['ev-new', 'ev-old'] : ['ev-old']);
      }
      const ttl = await own.redis.pttl(keys.recommendations('u1'));
      expect(ttl).toBeGreaterThan(3_000_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
      expect(await own.redis.pttl(keys.recommendations('org:u2'))).toBe(-1);
      for (const key of byItem) expect(await own.redis.smembers(key), key).toEqual(['u1']);

      expect(await migrateKeys(config, { dryRun: false })).toEqual({ dryRun: false, found: 0, moved: 0, merged: 0, superseded: 0 });
    } finally {
      await own.cleanup();
    }
  });

  it('moves nothing on one server, where the names did not change', async () => {
    const single = await createRedisFixture();
    try {
      await single.redis.sadd(storeKeys(single.prefix).seen('u'), 'a');
      expect(storeKeys(single.prefix).seen('u')).toBe(`${single.prefix}:user:u:seen`);
      expect(storeKeys(single.prefix).recommendations('u')).toBe(`${single.prefix}:recs:u`);
      expect(await migrateKeys({ REDIS_URL: single.url, COLDSTART_PREFIX: single.prefix }, { dryRun: false })).toEqual({ dryRun: false, found: 0, moved: 0, merged: 0, superseded: 0 });
      expect(await single.redis.smembers(storeKeys(single.prefix).seen('u'))).toEqual(['a']);
    } finally {
      await single.cleanup();
    }
  });
});
