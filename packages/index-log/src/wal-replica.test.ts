import { describe, expect, it } from 'vitest';
import type { WalEntry } from './wal-entry.js';
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
