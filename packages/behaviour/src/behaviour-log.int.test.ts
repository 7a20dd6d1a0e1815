import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FencedWriterError, IndexLog } from '@coldstart/index-log';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { BehaviourLog, type Interaction } from './behaviour-log.js';
import { BehaviourModel } from './behaviour-model.js';
import { BehaviourReplica } from './behaviour-replica.js';

const at = Date.parse('2026-01-01T00:00:00Z');
const interaction = (eventId: string, userId: string, itemId: string, rating?: number): Interaction => ({ eventId, userId, itemId, rating, atMs: at });

describe('the behaviour log on Redis', () => {
  let fx: RedisFixture;
  beforeEach(async () => {
    fx = await createRedisFixture();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  it('learns each like once: a redelivered eventId, a repeated like of the same item and a low rating add nothing', async () => {
    const log = new BehaviourLog(fx.redis, fx.prefix);
    const outcomes = await log.learn([
      interaction('e1', 'u1', 'a', 5),
      interaction('e1', 'u1', 'a', 5),
      interaction('e2', 'u1', 'a', 4),
      interaction('e3', 'u1', 'b', 2),
      interaction('e4', 'u1', 'c'),
    ]);
    expect(outcomes).toEqual(['learned', 'duplicate', 'repeat', 'negative', 'learned']);
    expect(await log.likes()).toBe(2);
    const entries = await log.read('0', 100);
    expect(entries.map((e) => e.entry)).toEqual([
      { kind: 'like', itemId: 'a', userId: 'u1', atMs: at, partners: [], categories: [] },
      { kind: 'like', itemId: 'c', userId: 'u1', atMs: at, partners: ['a'], categories: [] },
    ]);
  });

  it('learns each like once across a server that forgot its scripts (a restart), in batches of more than one call', async () => {
    const log = new BehaviourLog(fx.redis, fx.prefix);
    const batch = (from: number) => Array.from({ length: 250 }, (_, i) => interaction(`e${from + i}`, `u${from + i}`, 'a'));
    expect(new Set(await log.learn(batch(0)))).toEqual(new Set(['learned']));
    await fx.redis.script('FLUSH');
    expect(new Set(await log.learn(batch(250)))).toEqual(new Set(['learned']));
    expect(await log.learn(batch(0).slice(0, 3))).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await log.likes()).toBe(500);
  });

  it('pairs a like with at most the user’s most recent likes, newest first, and reads the item’s categories from the catalog', async () => {
    const log = new BehaviourLog(fx.redis, fx.prefix, { settings: { historyItems: 2 } });
    await fx.redis.hset(`${fx.prefix}:item:d`, 'categories', JSON.stringify(['travel']));
    await log.learn(['a', 'b', 'c', 'd'].map((item, i) => interaction(`e${i}`, 'u1', item)));
    const last = (await log.read('0', 100)).at(-1)?.entry;
    expect(last).toEqual({ kind: 'like', itemId: 'd', userId: 'u1', atMs: at, partners: ['c', 'b'], categories: ['travel'] });
  });

  it('refuses a deposed writer: the log takes appends only under the current fencing token', async () => {
    const index = new IndexLog(fx.redis, fx.prefix);
    const first = await index.claimWriter('w1', 60_000);
    const writer = new BehaviourLog(fx.redis, fx.prefix, { writerToken: first });
    expect(await writer.learn([interaction('e1', 'u1', 'a')])).toEqual(['learned']);
    await index.releaseWriter('w1');
    const second = await index.claimWriter('w2', 60_000);
    expect(second).not.toBe(first);
    await expect(writer.learn([interaction('e2', 'u1', 'b')])).rejects.toBeInstanceOf(FencedWriterError);
    await expect(writer.forget('a')).rejects.toBeInstanceOf(FencedWriterError);
    expect(await new BehaviourLog(fx.redis, fx.prefix, { writerToken: second }).learn([interaction('e2', 'u1', 'b')])).toEqual(['learned']);
    expect(await writer.likes()).toBe(2);
  });

  it('brings a replica to the model the log describes, and keeps it current as entries arrive', async () => {
    const log = new BehaviourLog(fx.redis, fx.prefix);
    await log.learn([interaction('e1', 'u1', 'a'), interaction('e2', 'u1', 'b'), interaction('e3', 'u2', 'a'), interaction('e4', 'u2', 'b')]);
    const replica = new BehaviourReplica(log, { halfLifeMs: 0 }, 2);
    await replica.catchUp();
    expect(replica.model.alsoLiked('a', 5)).toEqual([{ itemId: 'b', score: 1 }]);
    await log.learn([interaction('e5', 'u3', 'c')]);
    await log.forget('b');
    await replica.catchUp();
    expect(replica.model.alsoLiked('a', 5)).toEqual([]);
    expect(replica.model.popular(5).map((i) => i.itemId)).toEqual(['a', 'c']);
    // A replica started now, from the log alone, agrees.
    const fresh = new BehaviourModel({ halfLifeMs: 0 });
    for (const { entry } of await log.read('0', 100)) fresh.apply(entry);
    expect(fresh.popular(5)).toEqual(replica.model.popular(5));
  });
});
