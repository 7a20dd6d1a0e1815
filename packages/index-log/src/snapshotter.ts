import type { SnapshotManifest } from './snapshot-manifest.js';
import type { SnapshotLogger, SnapshotStore } from './snapshot-store.js';
import type { WalReplica } from './wal-replica.js';

export interface SnapshotPolicy {
  /** Snapshot once this many log entries were applied since the last one… */
  everyMutations: number;
  /** …or once this long has passed since the last one (or the start), if anything changed. */
  everySeconds: number;
}

export interface SnapshotRetention {
  /** Snapshots kept per index… */
  keep: number;
  /** …and the log trimmed below the oldest kept one (IndexLog.trimWal); omitted, never trimmed. */
  trimWal?: (index: string, minId: string) => Promise<unknown>;
}

export interface SnapshotterDeps {
  /** The writer's own replica of the index, fed from its log. */
  replica: WalReplica;
  store: Pick<SnapshotStore, 'write' | 'prune'>;
  policy: SnapshotPolicy;
  /** Only the writer prunes and trims; `coldstart snapshot create` leaves that to it. */
  retention?: SnapshotRetention;
  fencingToken: string | null;
  /** Throws if this process is no longer the writer (see SnapshotInput.fence). */
  fence?: () => Promise<void>;
  logger?: SnapshotLogger;
  now?: () => number;
}

/**
 * Writes snapshots of one index from a replica of it: the writer and `coldstart snapshot create`
 * share this, so a snapshot always holds exactly the log up to its position. After each snapshot
 * the old ones are pruned and the log trimmed below the oldest kept one, never further, so every
 * kept snapshot can still be replayed forward.
 */
export class Snapshotter {
  private lastPosition: string | undefined;
  private lastApplied = 0;
  private lastAt: number;

  constructor(private readonly deps: SnapshotterDeps) {
    this.lastAt = this.now();
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Catches up and snapshots if the policy says it is due; returns the snapshot written, if any. */
  async tick(): Promise<SnapshotManifest | undefined> {
    const { replica, policy } = this.deps;
    await replica.catchUp();
    // Until this snapshotter writes one, the newest snapshot is the one the replica started from.
    if (replica.position === (this.lastPosition ?? replica.startPosition)) return undefined;
    const due = replica.applied - this.lastApplied >= policy.everyMutations || this.now() - this.lastAt >= policy.everySeconds * 1000;
    return due ? this.snapshot() : undefined;
  }

  /** Snapshots now (if the index holds anything), then prunes and trims per the retention. */
  async snapshot(): Promise<SnapshotManifest | undefined> {
    const { replica, store, retention } = this.deps;
    await replica.catchUp();
    const { index, space, factory } = replica;
    if (index === undefined || space === undefined || factory === undefined) return undefined;
    const position = replica.position;
    const manifest = await store.write({
      index: replica.indexName,
      bytes: index.serialize(),
      walSequence: position,
      walEntries: replica.sequence ?? 0,
      encoder: space.encoder,
      dimension: space.dimension,
      factory,
      vectors: index.size,
      fencingToken: this.deps.fencingToken,
      ...(this.deps.fence ? { fence: this.deps.fence } : {}),
    });
    this.lastPosition = position;
    this.lastApplied = replica.applied;
    this.lastAt = this.now();
    if (!retention) return manifest;
    const oldest = await store.prune(replica.indexName, retention.keep);
    if (oldest && retention.trimWal) {
      const removed = await retention.trimWal(replica.indexName, oldest.walSequence);
      this.deps.logger?.info({ index: replica.indexName, below: oldest.walSequence, removed }, 'log trimmed below the oldest kept snapshot');
    }
    return manifest;
  }
}
