import { compareStreamIds, Snapshotter, WalReplica, type IndexLog, type SnapshotListing, type SnapshotManifest, type SnapshotStore } from '@coldstart/index-log';

export interface SnapshotActionDeps {
  store: SnapshotStore;
  indexLog: Pick<IndexLog, 'readWal' | 'walBounds'>;
  /** FAISS factory string for an index built from the log alone. */
  factory: string;
}

export async function snapshotList(deps: SnapshotActionDeps, index: string): Promise<SnapshotListing[]> {
  return deps.store.list(index);
}

/**
 * Builds the index exactly as a replica would (newest verified snapshot, then the log after it)
 * and writes a snapshot with the writer's code. It moves LATEST forward but neither prunes nor
 * trims the log: that stays with the writer, which holds the fencing token.
 */
export async function snapshotCreate(deps: SnapshotActionDeps, index: string): Promise<SnapshotManifest> {
  const replica = new WalReplica(deps.indexLog, index, { snapshots: deps.store, factory: deps.factory });
  const snapshotter = new Snapshotter({ replica, store: deps.store, policy: { everyMutations: 1, everySeconds: 0 }, fencingToken: null });
  const manifest = await snapshotter.snapshot();
  if (!manifest) throw new Error(`index ${JSON.stringify(index)} has no log entries and no snapshot: nothing to snapshot`);
  return manifest;
}

/**
 * Verifies a snapshot (manifest, sha256, contents) and points LATEST at it, so replicas start
 * from it; without an id, the newest one that verifies, starting at LATEST. Refuses one that
 * does not verify, and one whose log entries after it were already trimmed.
 */
export async function snapshotRestore(deps: SnapshotActionDeps, index: string, snapshotId?: string): Promise<SnapshotManifest> {
  const loaded = snapshotId === undefined ? await deps.store.loadNewestVerified(index) : await deps.store.load(index, snapshotId);
  if (!loaded) throw new Error(`index ${JSON.stringify(index)} has no snapshot that verifies`);
  const { manifest } = loaded;
  const { trimmedBelow } = await deps.indexLog.walBounds(index);
  if (compareStreamIds(manifest.walSequence, trimmedBelow) < 0) {
    throw new Error(`snapshot ${manifest.snapshotId} covers the log up to ${manifest.walSequence}, but the log was trimmed below ${trimmedBelow}: replicas could not replay from it`);
  }
  await deps.store.movePointer(index, manifest, { onlyForward: false });
  return manifest;
}

export function renderSnapshotList(index: string, listing: readonly SnapshotListing[]): string {
  if (listing.length === 0) return `no snapshots of index ${index}`;
  return listing
    .map(({ snapshotId, manifest, latest }) => {
      const mark = latest ? '* ' : '  ';
      if (!manifest) return `${mark}${snapshotId}  (manifest missing or invalid)`;
      return `${mark}${snapshotId}  wal ${manifest.walSequence}  ${manifest.vectors} vectors  ${manifest.factory} ${manifest.dimension}-d  ${manifest.bytes} bytes  ${manifest.createdAt}`;
    })
    .join('\n');
}
