import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FencedWriterError, IndexLog } from '@coldstart/index-log';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { CatalogStore, pairKey } from './index.js';

const item = (itemId: string, categories: string[], title = `Title ${itemId}`) => ({ itemId, title, authors: ['A. Writer'], categories });
const vector = { encoder: 'test-enc', dimension: 2, vector: Buffer.from(new Float32Array([1, 0]).buffer).toString('base64') };

describe('CatalogStore', () => {
  let fx: RedisFixture;
  let catalog: CatalogStore;
  /** The index logs the catalog's mutations are appended to. */
  let log: IndexLog;
  beforeEach(async () => {
    fx = await createRedisFixture();
    catalog = new CatalogStore(fx.redis, fx.prefix);
    log = new IndexLog(fx.redis, fx.prefix);
  });
  afterEach(() => fx.cleanup());

  it('applies an upsert, logs it, and serves the item', async () => {
    const result = await catalog.upsert({ item: item('b1', ['History', 'war']), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e1', ...vector });
    expect(result.outcome).toBe('applied');
    expect(await catalog.liveCount()).toBe(1);
    const items = await catalog.getItems(['b1', 'missing']);
    expect([...items.keys()]).toEqual(['b1']);
    expect(items.get('b1')?.categories).toEqual(['history', 'war']);
    expect(items.get('b1')?.addedAt).toBe(Date.parse('2026-01-01T00:00:00Z'));
    const wal = await log.readWal('test-enc', '0', 10);
    expect(wal).toEqual([{ id: result.walIds[0], seq: 1, op: 'upsert', itemId: 'b1', ...vector }]);
    // A later upsert keeps the item's age: it was added by the first.
    await catalog.upsert({ item: item('b1', ['History']), occurredAt: '2026-02-01T00:00:00Z', eventId: 'e1b', ...vector });
    expect((await catalog.getItems(['b1'])).get('b1')?.addedAt).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });

  it('keeps one index per encoder, refuses another dimension, and logs deletes to every index', async () => {
    await catalog.upsert({ item: item('b1', []), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e1', ...vector });
    await expect(
      catalog.upsert({ item: item('b2', []), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e2', ...vector, dimension: 3 }),
    ).rejects.toThrow(/index of encoder "test-enc" holds 2-dimensional vectors; refusing a 3-dimensional one/);
    expect(await catalog.liveCount()).toBe(1);
    const other = await catalog.upsert({ item: item('b1', []), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e1', ...vector, encoder: 'other', dimension: 3 });
    expect(other.outcome).toBe('applied');
    expect(await log.readWal('test-enc', '0', 10)).toHaveLength(1);
    expect(await log.readWal('other', '0', 10)).toMatchObject([{ op: 'upsert', itemId: 'b1', dimension: 3 }]);
    const removal = await catalog.delete({ itemId: 'b1', occurredAt: '2026-01-02T00:00:00Z', eventId: 'e3' });
    expect(removal.walIds).toHaveLength(2);
    for (const index of ['test-enc', 'other']) expect((await log.readWal(index, '0', 10)).at(-1)).toMatchObject({ op: 'delete', itemId: 'b1' });
  });

  it('logs a delete to an index created while it read the list of indexes', async () => {
    await catalog.upsert({ item: item('b1', []), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e1', ...vector });
    const smembers = fx.redis.smembers.bind(fx.redis);
    let raced = false;
    // The delete reads the indexes, and an upsert of another encoder's first vector lands before its script.
    fx.redis.smembers = (async (key: string) => {
      const members = await smembers(key);
      if (!raced && key.endsWith(':catalog:indexes')) {
        raced = true;
        await catalog.upsert({ item: item('b2', []), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e2', ...vector, encoder: 'late' });
      }
      return members;
    }) as typeof fx.redis.smembers;
    const removal = await catalog.delete({ itemId: 'b1', occurredAt: '2026-01-02T00:00:00Z', eventId: 'e3' });
    fx.redis.smembers = smembers as typeof fx.redis.smembers;
    expect(raced).toBe(true);
    expect(removal.walIds).toHaveLength(2);
    for (const index of ['test-enc', 'late']) expect((await log.readWal(index, '0', 10)).at(-1)).toMatchObject({ op: 'delete', itemId: 'b1' });
  });

  it('skips a mutation older than the applied one, whatever the arrival order', async () => {
    await catalog.upsert({ item: item('b1', ['a'], 'New'), occurredAt: '2026-01-02T00:00:00Z', eventId: 'e2', ...vector });
    const older = await catalog.upsert({ item: item('b1', ['b'], 'Old'), occurredAt: '2026-01-01T00:00:00+01:00', eventId: 'e1', ...vector });
    expect(older).toEqual({ outcome: 'stale', walIds: [] });
    const olderDelete = await catalog.delete({ itemId: 'b1', occurredAt: '2025-12-31T00:00:00Z', eventId: 'e0' });
    expect(olderDelete.outcome).toBe('stale');
    expect((await catalog.getItems(['b1'])).get('b1')?.title).toBe('New');
    expect(await log.readWal('test-enc', '0', 10)).toHaveLength(1);
    expect(await catalog.appliedEvents(['b1', 'nope'])).toEqual(new Map([['b1', 'e2'], ['nope', undefined]]));
  });

  it('re-applies the same mutation (a retried job) instead of losing its log entry', async () => {
    const input = { item: item('b1', ['a']), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e1', ...vector };
    await catalog.upsert(input);
    const again = await catalog.upsert(input);
    expect(again.outcome).toBe('applied');
    expect((await catalog.categoryStats()).counts.get('a')).toBe(1);
  });

  it('keeps category and pair counts right across updates and deletes', async () => {
    await catalog.upsert({ item: item('b1', ['a', 'b', 'c']), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e1', ...vector });
    await catalog.upsert({ item: item('b2', ['a', 'b']), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e2', ...vector });
    let stats = await catalog.categoryStats();
    expect(stats.counts.get('a')).toBe(2);
    expect(stats.pairs.get(pairKey('b', 'a'))).toBe(2);
    expect(stats.pairs.get(pairKey('a', 'c'))).toBe(1);

    await catalog.upsert({ item: item('b1', ['a']), occurredAt: '2026-01-02T00:00:00Z', eventId: 'e3', ...vector });
    stats = await catalog.categoryStats();
    expect(stats.counts.get('c')).toBeUndefined();
    expect(stats.pairs.get(pairKey('a', 'b'))).toBe(1);

    const deleted = await catalog.delete({ itemId: 'b2', occurredAt: '2026-01-03T00:00:00Z', eventId: 'e4' });
    expect(deleted.outcome).toBe('applied');
    stats = await catalog.categoryStats();
    expect(stats.counts.get('a')).toBe(1);
    expect(stats.counts.get('b')).toBeUndefined();
    expect(stats.pairs.size).toBe(0);
    expect(await catalog.liveCount()).toBe(1);
    expect((await catalog.getItems(['b2'])).size).toBe(0);
    const wal = await log.readWal('test-enc', '0', 10);
    expect(wal.at(-1)).toMatchObject({ op: 'delete', itemId: 'b2' });
    expect(await log.readWal('test-enc', wal.at(-1)!.id, 10)).toEqual([]);
  });

  it('numbers each index\'s log entries and reports the log\'s bounds', async () => {
    const first = await catalog.upsert({ item: item('b1', []), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e1', ...vector });
    const removal = await catalog.delete({ itemId: 'b1', occurredAt: '2026-01-02T00:00:00Z', eventId: 'e2' });
    expect((await log.readWal('test-enc', '0', 10)).map((e) => e.seq)).toEqual([1, 2]);
    expect(await log.walBounds('test-enc')).toEqual({ appended: 2, lastId: removal.walIds[0], trimmedBelow: '0' });
    expect(first.walIds[0]! < removal.walIds[0]!).toBe(true);
    expect(await log.walBounds('never-written')).toEqual({ appended: 0, lastId: '0', trimmedBelow: '0' });
  });

  describe('single writer with a fencing token', () => {
    const mutation = (eventId: string) => ({ item: item(eventId, []), occurredAt: '2026-01-01T00:00:00Z', eventId, ...vector });

    it('refuses an old writer\'s append after a takeover, and appends without a token only while nobody holds one', async () => {
      await catalog.upsert(mutation('before-any-writer'));
      const first = await log.claimWriter('writer-a', 60_000);
      expect(first).toBe('1');
      // While writer-a's lease is live nobody else gets a token.
      expect(await log.claimWriter('writer-b', 60_000)).toBeUndefined();
      const writerA = new CatalogStore(fx.redis, fx.prefix, { writerToken: first! });
      const logA = new IndexLog(fx.redis, fx.prefix, { writerToken: first! });
      await writerA.upsert(mutation('by-a'));
      await expect(catalog.upsert(mutation('no-token'))).rejects.toThrow(FencedWriterError);

      // writer-a pauses past its lease; writer-b takes over with a higher token.
      await fx.redis.del(`${fx.prefix}:index:writer:lease`);
      const second = await log.claimWriter('writer-b', 60_000);
      expect(Number(second)).toBeGreaterThan(Number(first));
      expect(await log.renewWriter('writer-a', 60_000)).toBe(false);
      const writerB = new CatalogStore(fx.redis, fx.prefix, { writerToken: second! });
      const logB = new IndexLog(fx.redis, fx.prefix, { writerToken: second! });

      const refused = await writerA.upsert(mutation('by-a-after-takeover')).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(FencedWriterError);
      expect((refused as Error).name).toBe('FencedWriterError');
      expect((refused as Error).message).toMatch(/fencing token is 1 but the current writer's is 2/);
      await expect(writerA.delete({ itemId: 'by-a', occurredAt: '2026-02-01T00:00:00Z', eventId: 'd' })).rejects.toThrow(FencedWriterError);
      await expect(logA.assertCurrentWriter()).rejects.toThrow(FencedWriterError);
      await expect(logA.trimWal('test-enc', '9999999999999-0')).rejects.toThrow(FencedWriterError);

      await writerB.upsert(mutation('by-b'));
      await logB.assertCurrentWriter();
      expect((await log.readWal('test-enc', '0', 10)).map((e) => e.itemId)).toEqual(['before-any-writer', 'by-a', 'by-b']);
      expect((await catalog.getItems(['by-a-after-takeover'])).size).toBe(0);
    });

    it('renews and releases only its own lease', async () => {
      const token = await log.claimWriter('writer-a', 60_000);
      expect(await log.claimWriter('writer-a', 60_000)).toBe(token);
      expect(await log.renewWriter('writer-a', 60_000)).toBe(true);
      await log.releaseWriter('writer-b');
      expect(await log.claimWriter('writer-b', 60_000)).toBeUndefined();
      await log.releaseWriter('writer-a');
      expect(await log.claimWriter('writer-b', 60_000)).toBe(String(Number(token) + 1));
    });

    it('trims the log only forward and records where, for replicas to notice', async () => {
      const token = await log.claimWriter('writer-a', 60_000);
      const writer = new CatalogStore(fx.redis, fx.prefix, { writerToken: token! });
      const writerLog = new IndexLog(fx.redis, fx.prefix, { writerToken: token! });
      const ids: string[] = [];
      for (const id of ['b1', 'b2', 'b3', 'b4']) ids.push(...(await writer.upsert(mutation(id))).walIds);
      expect(await writerLog.trimWal('test-enc', ids[2]!)).toBe(2);
      expect((await log.readWal('test-enc', '0', 10)).map((e) => e.id)).toEqual(ids.slice(2));
      expect(await writerLog.trimWal('test-enc', ids[1]!)).toBe(0);
      expect(await log.walBounds('test-enc')).toEqual({ appended: 4, lastId: ids[3], trimmedBelow: ids[2] });
    });
  });
});
