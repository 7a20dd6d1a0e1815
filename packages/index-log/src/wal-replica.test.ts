import { describe, expect, it } from 'vitest';
import type { WalEntry } from './wal-entry.js';
import { FaissVectorIndex } from '@coldstart/vector-index';
import { ReplicaSet } from './replica-set.js';
import type { LoadedSnapshot } from './snapshot-store.js';
import { WalReplica } from './wal-replica.js';

const vector = (x: number) => Buffer.from(new Float32Array([x, 1 - x]).buffer).toString('base64');
const ENTRIES: WalEntry[] = [
  { id: '1-0', seq: 1, op: 'upsert', itemId: 'i1', encoder: 'e', dimension: 2, vector: vector(1) },
  { id: '2-0', seq: 2, op: 'upsert', itemId: 'i2', encoder: 'e', dimension: 2, vector: vector(0) },
  { id: '3-0', seq: 3, op: 'delete', itemId: 'i1' },
];

describe('WalReplica hooks', () => {
  it('tells of each entry it applies, in order, and of its start', async () => {
    const log = { readWal: async (_index: string, afterId: string, count: number) => ENTRIES.filter((e) => e.id > afterId).slice(0, count) };
    const applied: string[] = [];
    const restarts: string[] = [];
    const replica = new WalReplica(log, 'e', { onApplied: (entry, index) => applied.push(`${index}: ${entry.op} ${entry.itemId}`), onRestart: (index) => restarts.push(index) });
    await replica.catchUp();
    await replica.catchUp();
    expect(applied).toEqual(['e: upsert i1', 'e: upsert i2', 'e: delete i1']);
    expect(restarts).toEqual(['e']);
    expect(replica.index?.has('i2')).toBe(true);
    expect(replica.index?.has('i1')).toBe(false);
  });
});

describe('search answers kept by replicas', () => {
  const log = { readWal: async (_index: string, afterId: string, count: number) => ENTRIES.filter((e) => e.id > afterId).slice(0, count) };

  it('for item indexes only, whether built from the log or restored from a snapshot', async () => {
    const replicas = new ReplicaSet(log, { searchCache: 8 });
    const items = replicas.forEncoder('e');
    const users = replicas.forIndex('users@e');
    await Promise.all([items.catchUp(), users.catchUp()]);
    items.index?.search(Float32Array.of(1, 0), 1);
    expect(items.index?.searchCacheStats).toMatchObject({ missed: 1 });
    expect(users.index?.size).toBe(1);
    expect(users.index?.searchCacheStats).toBeUndefined();

    const snapshot = new FaissVectorIndex({ dimension: 2 });
    snapshot.upsert('i9', Float32Array.of(1, 1));
    const snapshots = { loadNewestVerified: async () => ({ index: snapshot, manifest: { encoder: 'e', dimension: 2, factory: 'Flat', walSequence: '3-0', walEntries: 3, snapshotId: 's1' } }) as unknown as LoadedSnapshot };
    const restored = new WalReplica(log, 'e', { snapshots, searchCache: 8 });
    await restored.catchUp();
    expect(restored.index?.searchCacheStats).toMatchObject({ missed: 0 });
  });
});
