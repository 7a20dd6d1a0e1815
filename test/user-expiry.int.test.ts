import { FencedWriterError, IndexLog, userIndexName, WalReplica } from '@coldstart/index-log';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expireInactiveUsers } from '../apps/worker-index/src/user-expiry.js';

const ENCODER = 'expiry-enc';
const INDEX = userIndexName(ENCODER);
const DAY_MS = 86_400_000;
const NOW = Date.parse('2026-11-28T12:00:00Z');

const vector = (seed: number) => Buffer.from(Float32Array.from([Math.cos(seed), Math.sin(seed), 0.5]).buffer).toString('base64');

describe('the writer sweeps inactive users out of the user-vector indexes', () => {
  let fx: RedisFixture;
  let writer: IndexLog;

  beforeEach(async () => {
    fx = await createRedisFixture();
    const token = (await new IndexLog(fx.redis, fx.prefix).claimWriter('writer', 60_000))!;
    writer = new IndexLog(fx.redis, fx.prefix, { writerToken: token });
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  const activeAt = (userId: string, daysAgo: number, seed: number, eventId = `${userId}-${daysAgo}`) =>
    writer.upsertUserVector({ userId, occurredAt: new Date(NOW - daysAgo * DAY_MS).toISOString(), eventId, encoder: ENCODER, dimension: 3, vector: vector(seed) });

  it('removes users last active before the TTL, oldest first and in batches, logging a delete the replicas apply; a user back later is indexed again', async () => {
    await activeAt('old', 10, 1);
    await activeAt('older', 30, 2);
    await activeAt('recent', 1, 3);
    // Active again since: the latest activity counts, not the first.
    await activeAt('returning', 20, 4);
    await activeAt('returning', 2, 4);

    // A batch of 1 makes the sweep call the script until nothing older is left.
    const removed = await expireInactiveUsers({ indexLog: writer, ttlSeconds: 7 * 86_400, batch: 1, now: () => NOW });
    expect(removed).toEqual(new Map([[INDEX, 2]]));

    const log = await writer.readWal(INDEX, '0', 100);
    expect(log.filter((entry) => entry.op === 'delete').map((entry) => entry.itemId)).toEqual(['older', 'old']);
    expect(await writer.userActivity(INDEX, ['old', 'older', 'recent', 'returning'])).toEqual(
      new Map([
        ['recent', NOW - DAY_MS],
        ['returning', NOW - 2 * DAY_MS],
      ]),
    );
    const replica = new WalReplica(writer, INDEX);
    await replica.catchUp();
    expect(['old', 'older', 'recent', 'returning'].filter((id) => replica.index!.has(id))).toEqual(['recent', 'returning']);

    // Nothing left to remove: a second sweep logs nothing.
    expect(await expireInactiveUsers({ indexLog: writer, ttlSeconds: 7 * 86_400, batch: 1, now: () => NOW })).toEqual(new Map([[INDEX, 0]]));
    expect((await writer.readWal(INDEX, '0', 100)).length).toBe(log.length);

    // The same vector as before is logged again: the user's digest went with them.
    expect((await activeAt('old', 0, 1)).outcome).toBe('applied');
    await replica.catchUp();
    expect(replica.index!.has('old')).toBe(true);
  });

  it('is fenced like every append: a deposed writer removes nothing', async () => {
    await activeAt('old', 10, 1);
    const deposed = new IndexLog(fx.redis, fx.prefix, { writerToken: 'not-the-token' });
    await expect(expireInactiveUsers({ indexLog: deposed, ttlSeconds: 7 * 86_400, batch: 10, now: () => NOW })).rejects.toBeInstanceOf(FencedWriterError);
    expect(await writer.userActivity(INDEX, ['old'])).toEqual(new Map([['old', NOW - 10 * DAY_MS]]));
    expect((await writer.readWal(INDEX, '0', 100)).map((entry) => entry.op)).toEqual(['upsert']);
  });
});
