import { describe, expect, it } from 'vitest';
import { compareStreamIds, snapshotIdFor, streamIdMs, walSequenceOfSnapshotId } from './stream-id.js';

describe('stream ids', () => {
  it('compares as number pairs, not as strings', () => {
    expect(compareStreamIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareStreamIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareStreamIds('10-10', '10-10')).toBe(0);
    expect(compareStreamIds('11-0', '10-99')).toBeGreaterThan(0);
    expect(compareStreamIds('0', '1-0')).toBeLessThan(0);
    expect(() => compareStreamIds('x', '1-0')).toThrow(/not a stream id/);
    expect(streamIdMs('1732751234567-3')).toBe(1_732_751_234_567);
  });

  it('names snapshots so that string order is log order, and recovers the position from the name', () => {
    const at = new Date(Date.UTC(2026, 0, 1));
    const ids = ['9-0', '10-0', '10-12', '1732751234567-3'].map((position) => snapshotIdFor(position, at));
    expect(ids.toSorted()).toEqual(ids);
    expect(ids.map(walSequenceOfSnapshotId)).toEqual(['9-0', '10-0', '10-12', '1732751234567-3']);
    // Two snapshots of one position written at different times get different ids.
    expect(snapshotIdFor('10-0', new Date(at.getTime() + 1))).not.toBe(ids[1]);
    expect(() => walSequenceOfSnapshotId('LATEST')).toThrow(/not a snapshot id/);
  });
});
