import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { CatalogStore, pairKey } from './index.js';

const item = (itemId: string, categories: string[], title = `Title ${itemId}`) => ({ itemId, title, authors: ['A. Writer'], categories });
const vector = { encoder: 'test-enc', dimension: 2, vector: Buffer.from(new Float32Array([1, 0]).buffer).toString('base64') };

describe('CatalogStore', () => {
  let fx: RedisFixture;
  let catalog: CatalogStore;
  beforeEach(async () => {
    fx = await createRedisFixture();
    catalog = new CatalogStore(fx.redis, fx.prefix);
  });
  afterEach(() => fx.cleanup());

  it('applies an upsert, logs it, and serves the item', async () => {
    const result = await catalog.upsert({ item: item('b1', ['History', 'war']), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e1', ...vector });
    expect(result.outcome).toBe('applied');
    expect(await catalog.liveCount()).toBe(1);
    const items = await catalog.getItems(['b1', 'missing']);
    expect([...items.keys()]).toEqual(['b1']);
    expect(items.get('b1')?.categories).toEqual(['history', 'war']);
    const wal = await catalog.readWal('test-enc', '0', 10);
    expect(wal).toEqual([{ id: result.walIds[0], op: 'upsert', itemId: 'b1', ...vector }]);
  });

  it('keeps one index per encoder, refuses another dimension, and logs deletes to every index', async () => {
    await catalog.upsert({ item: item('b1', []), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e1', ...vector });
    await expect(
      catalog.upsert({ item: item('b2', []), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e2', ...vector, dimension: 3 }),
    ).rejects.toThrow(/index of encoder "test-enc" holds 2-dimensional vectors; refusing a 3-dimensional one/);
    expect(await catalog.liveCount()).toBe(1);
    const other = await catalog.upsert({ item: item('b1', []), occurredAt: '2026-01-01T00:00:00Z', eventId: 'e1', ...vector, encoder: 'other', dimension: 3 });
    expect(other.outcome).toBe('applied');
    expect(await catalog.readWal('test-enc', '0', 10)).toHaveLength(1);
    expect(await catalog.readWal('other', '0', 10)).toMatchObject([{ op: 'upsert', itemId: 'b1', dimension: 3 }]);
    const removal = await catalog.delete({ itemId: 'b1', occurredAt: '2026-01-02T00:00:00Z', eventId: 'e3' });
    expect(removal.walIds).toHaveLength(2);
    for (const index of ['test-enc', 'other']) expect((await catalog.readWal(index, '0', 10)).at(-1)).toMatchObject({ op: 'delete', itemId: 'b1' });
  });

  it('skips a mutation older than the applied one, whatever the arrival order', async () => {
    await catalog.upsert({ item: item('b1', ['a'], 'New'), occurredAt: '2026-01-02T00:00:00Z', eventId: 'e2', ...vector });
    const older = await catalog.upsert({ item: item('b1', ['b'], 'Old'), occurredAt: '2026-01-01T00:00:00+01:00', eventId: 'e1', ...vector });
    expect(older).toEqual({ outcome: 'stale', walIds: [] });
    const olderDelete = await catalog.delete({ itemId: 'b1', occurredAt: '2025-12-31T00:00:00Z', eventId: 'e0' });
    expect(olderDelete.outcome).toBe('stale');
    expect((await catalog.getItems(['b1'])).get('b1')?.title).toBe('New');
    expect(await catalog.readWal('test-enc', '0', 10)).toHaveLength(1);
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
    const wal = await catalog.readWal('test-enc', '0', 10);
    expect(wal.at(-1)).toMatchObject({ op: 'delete', itemId: 'b2' });
    expect(await catalog.readWal('test-enc', wal.at(-1)!.id, 10)).toEqual([]);
  });
});
