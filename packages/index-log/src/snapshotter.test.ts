import { describe, expect, it, vi } from 'vitest';
import type { SnapshotInput } from './snapshot-store.js';
import { Snapshotter } from './snapshotter.js';
import type { WalReplica } from './wal-replica.js';

/** A replica whose log position the test moves by hand. */
function fakeReplica() {
  const state = { position: '0', applied: 0 };
  const replica = {
    indexName: 'enc',
    catchUp: () => Promise.resolve(),
    get position() {
      return state.position;
    },
    get applied() {
      return state.applied;
    },
    sequence: 0,
    startPosition: '0',
    index: { serialize: () => Buffer.from('bytes'), size: 1 },
    space: { encoder: 'enc', dimension: 2 },
    factory: 'Flat',
  } as unknown as WalReplica;
  const advance = (entries: number) => {
    state.applied += entries;
    state.position = `${state.applied}-0`;
  };
  return { replica, advance };
}

function fakeStore() {
  const writes: SnapshotInput[] = [];
  return {
    writes,
    store: {
      write: vi.fn((input: SnapshotInput) => {
        writes.push(input);
        return Promise.resolve({ snapshotId: `s${writes.length}`, walSequence: input.walSequence } as never);
      }),
      prune: vi.fn(() => Promise.resolve({ snapshotId: 's1', walSequence: '3-0' })),
    },
  };
}

describe('Snapshotter', () => {
  it('snapshots after N entries or T seconds with changes, never when nothing changed', async () => {
    let now = 0;
    const { replica, advance } = fakeReplica();
    const { store, writes } = fakeStore();
    const snapshotter = new Snapshotter({ replica, store, policy: { everyMutations: 5, everySeconds: 60 }, fencingToken: '7', now: () => now });

    expect(await snapshotter.tick()).toBeUndefined();
    advance(4);
    expect(await snapshotter.tick()).toBeUndefined();
    advance(1);
    expect(await snapshotter.tick()).toBeDefined();
    expect(writes.map((w) => [w.walSequence, w.fencingToken])).toEqual([['5-0', '7']]);

    now = 120_000;
    expect(await snapshotter.tick()).toBeUndefined();
    advance(1);
    expect(await snapshotter.tick()).toBeDefined();
    expect(writes).toHaveLength(2);
    expect(store.prune).not.toHaveBeenCalled();
  });

  it('prunes and trims the log below the oldest kept snapshot after writing', async () => {
    const { replica, advance } = fakeReplica();
    const { store } = fakeStore();
    const trimWal = vi.fn(() => Promise.resolve(3));
    const snapshotter = new Snapshotter({ replica, store, policy: { everyMutations: 1, everySeconds: 60 }, retention: { keep: 2, trimWal }, fencingToken: null });
    advance(9);
    await snapshotter.tick();
    expect(store.prune).toHaveBeenCalledWith('enc', 2);
    expect(trimWal).toHaveBeenCalledWith('enc', '3-0');
  });

  it('neither prunes nor trims when the write fails (a deposed writer, a crash before the pointer moved)', async () => {
    const { replica, advance } = fakeReplica();
    const { store } = fakeStore();
    store.write.mockRejectedValueOnce(new Error('fenced'));
    const trimWal = vi.fn(() => Promise.resolve(0));
    const snapshotter = new Snapshotter({ replica, store, policy: { everyMutations: 1, everySeconds: 60 }, retention: { keep: 2, trimWal }, fencingToken: '1' });
    advance(2);
    await expect(snapshotter.tick()).rejects.toThrow(/fenced/);
    expect(store.prune).not.toHaveBeenCalled();
    expect(trimWal).not.toHaveBeenCalled();
    // Still due: the next round tries again.
    await expect(snapshotter.tick()).resolves.toBeDefined();
  });
});
