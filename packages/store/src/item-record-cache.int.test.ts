import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { CatalogStore, ItemRecordCache } from './index.js';

const vector = { encoder: 'e', dimension: 1, vector: Buffer.from(new Float32Array([1]).buffer).toString('base64') };

describe('ItemRecordCache over the catalog on Redis', () => {
  let fx: RedisFixture;
  let catalog: CatalogStore;
  let version = 0;
  const upsert = (itemId: string, title: string) =>
    catalog.upsert({ item: { itemId, title, authors: [], categories: ['c'] }, occurredAt: new Date(Date.UTC(2026, 0, 1) + ++version).toISOString(), eventId: `up-${itemId}-${version}`, ...vector });

  beforeEach(async () => {
    fx = await createRedisFixture();
    catalog = new CatalogStore(fx.redis, fx.prefix);
    await upsert('i1', 'One');
    await upsert('i2', 'Two');
  });
  afterEach(() => fx.cleanup());

  it('reads each record from Redis once, unknown items included, until told the item changed', async () => {
    const reads = vi.spyOn(catalog, 'getItems');
    const cache = new ItemRecordCache(catalog);
    expect([...(await cache.getItems(['i1', 'i2', 'nope'])).keys()]).toEqual(['i1', 'i2']);
    expect([...(await cache.getItems(['i2', 'i1', 'nope'])).keys()]).toEqual(['i2', 'i1']);
    expect(reads).toHaveBeenCalledTimes(1);
    await upsert('i1', 'One, revised');
    // Until the replica applies the upsert's log entry, the older record is served.
    expect((await cache.getItems(['i1'])).get('i1')?.title).toBe('One');
    cache.forget('i1');
    expect((await cache.getItems(['i1', 'i2'])).get('i1')?.title).toBe('One, revised');
    expect(reads).toHaveBeenLastCalledWith(['i1']);
    await upsert('nope', 'Now here');
    cache.forgetAll();
    expect((await cache.getItems(['nope'])).get('nope')?.title).toBe('Now here');
  });

  it('does not cache a read that a change overlapped: the next read goes to Redis again', async () => {
    const cache = new ItemRecordCache(catalog);
    const reading = cache.getItems(['i1']);
    cache.forget('i2');
    await reading;
    const reads = vi.spyOn(catalog, 'getItems');
    await cache.getItems(['i1']);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('shares one read among concurrent callers, but not across a change, and fails each of them when it fails', async () => {
    const reads = vi.spyOn(catalog, 'getItems');
    const cache = new ItemRecordCache(catalog);
    const [first, second, third] = await Promise.all([cache.getItems(['i1', 'i2']), cache.getItems(['i2', 'i1', 'i1']), cache.getItems(['i2', 'nope'])]);
    expect([...first.keys()]).toEqual(['i1', 'i2']);
    expect([...second.keys()]).toEqual(['i2', 'i1']);
    expect([...third.keys()]).toEqual(['i2']);
    expect(reads.mock.calls).toEqual([[['i1', 'i2']], [['nope']]]);

    // A read that began before the replica applied a change may hold the older record.
    cache.forgetAll();
    reads.mockClear();
    const before = cache.getItems(['i1']);
    await upsert('i1', 'One, revised');
    cache.forget('i1');
    const after = cache.getItems(['i1']);
    expect((await after).get('i1')?.title).toBe('One, revised');
    await before;
    expect(reads).toHaveBeenCalledTimes(2);

    cache.forgetAll();
    reads.mockRejectedValueOnce(new Error('connection lost'));
    const failing = [cache.getItems(['i1']), cache.getItems(['i1'])];
    for (const read of failing) await expect(read).rejects.toThrow('connection lost');
    expect((await cache.getItems(['i1'])).get('i1')?.title).toBe('One, revised');
  });

  it('keeps at most maxEntries records, dropping the oldest cached', async () => {
    const cache = new ItemRecordCache(catalog, 1);
    await cache.getItems(['i1']);
    await cache.getItems(['i2']);
    expect(cache.size).toBe(1);
    const reads = vi.spyOn(catalog, 'getItems');
    await cache.getItems(['i1']);
    expect(reads).toHaveBeenCalledWith(['i1']);
  });
});
