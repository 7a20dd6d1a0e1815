import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeKeys } from '@coldstart/store';
import { createRedisFixture, startRedisCluster, type LocalRedisCluster, type RedisFixture } from '@coldstart/testing';
import { migrateKeys } from '../../apps/ops/src/keys/keys-migrate.ts';

/**
 * `coldstart keys migrate` on a real 3-master cluster: a deployment's per-user keys written
 * under the data slot's old names move to each user's own slot, with their values and TTLs; a
 * seen set the apps already started anew is merged, a newer profile kept; a second run finds
 * nothing, and on one server nothing moves.
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

  it('moves nothing on one server, where the names did not change', async () => {
    const single = await createRedisFixture();
    try {
      await single.redis.sadd(storeKeys(single.prefix).seen('u'), 'a');
      expect(storeKeys(single.prefix).seen('u')).toBe(`${single.prefix}:user:u:seen`);
      expect(await migrateKeys({ REDIS_URL: single.url, COLDSTART_PREFIX: single.prefix }, { dryRun: false })).toEqual({ dryRun: false, found: 0, moved: 0, merged: 0, superseded: 0 });
      expect(await single.redis.smembers(storeKeys(single.prefix).seen('u'))).toEqual(['a']);
    } finally {
      await single.cleanup();
    }
  });
});
