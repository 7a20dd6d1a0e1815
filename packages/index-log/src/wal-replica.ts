import { coalesced } from '@coldstart/runtime';
import { createVectorIndex, type VectorIndex } from '@coldstart/vector-index';
import type { LoadedSnapshot, SnapshotLogger } from './snapshot-store.js';
import { compareStreamIds } from './stream-id.js';
import { decodeWalVector, type WalEntry } from './wal-entry.js';

/** What a replica reads: IndexLog fits. Without `walBounds` a trimmed log goes unnoticed. */
export interface WalLog {
  readWal(index: string, afterId: string, count: number): Promise<WalEntry[]>;
  walBounds?(index: string): Promise<{ trimmedBelow: string }>;
}

export interface VectorSpace {
  encoder: string;
  dimension: number;
}

export interface WalReplicaOptions {
  /** Where a replica starts from (SnapshotStore fits); without it, the log from its start. */
  snapshots?: { loadNewestVerified(index: string): Promise<LoadedSnapshot | undefined> } | undefined;
  /** FAISS factory string of an index built from the log alone; a snapshot brings its own. Default Flat. */
  factory?: string;
  batchSize?: number;
  logger?: SnapshotLogger;
  /** Told of every entry applied and the index it belongs to, e.g. to drop what a process cached about that item. */
  onApplied?: (entry: WalEntry, index: string) => void;
  /** Exact search answers the replica's index keeps per query vector (VectorIndex.keepSearchAnswers); default none. */
  searchCache?: number;
  /** Told when a replica (re)starts from a snapshot or the log's start: entries in between are never applied one by one. */
  onRestart?: (index: string) => void;
}

/** The log was trimmed past where this replica can start, and no snapshot covers the gap. */
export class WalTrimmedError extends Error {
  override readonly name = 'WalTrimmedError';
}

/**
 * A read replica of one vector index: started from the newest verified snapshot (or an empty
 * index), then kept current by applying the log entries after the snapshot's position.
 * `catchUp()` before a search gives read-your-writes: everything logged before the call is
 * searchable after it. A replica that finds the log trimmed past its position (it fell behind
 * the oldest kept snapshot) starts over from the newest snapshot.
 */
export class WalReplica {
  private lastId = '0';
  private startId = '0';
  private lastSeq: number | undefined;
  private appliedCount = 0;
  private started = false;
  private snapshotId: string | undefined;
  private current: { index: VectorIndex; space: VectorSpace; factory: string } | undefined;
  private readonly batchSize: number;

  constructor(
    private readonly log: WalLog,
    /** The index to follow: one per encoder, named after it. */
    readonly indexName: string,
    private readonly options: WalReplicaOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1_000;
  }

  get index(): VectorIndex | undefined {
    return this.current?.index;
  }

  get space(): VectorSpace | undefined {
    return this.current?.space;
  }

  /** The index's FAISS factory string (a snapshot's own, or the configured one). */
  get factory(): string | undefined {
    return this.current?.factory;
  }

  /** Stream id of the newest entry applied (or the snapshot's position); "0" for none. */
  get position(): string {
    return this.lastId;
  }

  /** Where this replica (re)started: its snapshot's position, or "0" for the log's start. */
  get startPosition(): string {
    return this.startId;
  }

  /** Entries ever appended up to `position` (its sequence number); undefined when the log predates them. */
  get sequence(): number | undefined {
    return this.lastSeq;
  }

  /** Entries applied by this replica since it (re)started, on top of its snapshot. */
  get applied(): number {
    return this.appliedCount;
  }

  /** The snapshot this replica started from, if any. */
  get startedFrom(): string | undefined {
    return this.snapshotId;
  }

  /**
   * Returns once a drain that started after the call has finished, so the entries that existed
   * when it called are applied; drains run one at a time, and the callers waiting for the next
   * one share it (a recommend pool's jobs catch up two or three times each).
   */
  readonly catchUp: () => Promise<void> = coalesced(() => this.drain());

  private async drain(): Promise<void> {
    if (!this.started || (await this.trimmedPast())) await this.start();
    for (;;) {
      const entries = await this.log.readWal(this.indexName, this.lastId, this.batchSize);
      for (const entry of entries) {
        this.apply(entry);
        this.options.onApplied?.(entry, this.indexName);
        this.lastId = entry.id;
        this.lastSeq = entry.seq;
        this.appliedCount += 1;
      }
      // Compacts the tombstones deletes and replacements leave behind, off the hot path.
      await this.current?.index.maintain();
      if (entries.length < this.batchSize) return;
    }
  }

  /** Entries after this replica's position may be gone: the log was trimmed above it. */
  private async trimmedPast(): Promise<boolean> {
    if (!this.log.walBounds) return false;
    const { trimmedBelow } = await this.log.walBounds(this.indexName);
    return compareStreamIds(this.lastId, trimmedBelow) < 0;
  }

  private async start(): Promise<void> {
    const restart = this.started;
    const loaded = await this.options.snapshots?.loadNewestVerified(this.indexName);
    loaded?.index.keepSearchAnswers(this.options.searchCache ?? 0);
    this.current = loaded && {
      index: loaded.index,
      space: { encoder: loaded.manifest.encoder, dimension: loaded.manifest.dimension },
      factory: loaded.manifest.factory,
    };
    this.lastId = this.startId = loaded?.manifest.walSequence ?? '0';
    this.lastSeq = loaded && loaded.manifest.walEntries > 0 ? loaded.manifest.walEntries : undefined;
    this.snapshotId = loaded?.manifest.snapshotId;
    this.appliedCount = 0;
    if (await this.trimmedPast()) {
      throw new WalTrimmedError(
        `the log of index ${this.indexName} was trimmed past position ${this.lastId} and ${loaded ? `snapshot ${loaded.manifest.snapshotId} is the newest that verifies` : this.options.snapshots ? 'no snapshot verifies' : 'no snapshot store is configured'}: cannot rebuild the index`,
      );
    }
    this.started = true;
    this.options.onRestart?.(this.indexName);
    this.options.logger?.[restart ? 'warn' : 'info'](
      { index: this.indexName, snapshotId: this.snapshotId, walPosition: this.lastId, vectors: this.current?.index.size ?? 0 },
      restart ? 'replica fell behind the trimmed log; restarted from a snapshot' : loaded ? 'replica starts from a snapshot' : 'replica starts from the log',
    );
  }

  private apply(entry: WalEntry): void {
    if (entry.op === 'delete') {
      this.current?.index.remove(entry.itemId);
      return;
    }
    if (!this.current) {
      const factory = this.options.factory ?? 'Flat';
      this.current = {
        index: createVectorIndex({ kind: 'faiss', dimension: entry.dimension, factory, searchCache: this.options.searchCache ?? 0 }),
        space: { encoder: entry.encoder, dimension: entry.dimension },
        factory,
      };
    }
    const { space, index } = this.current;
    if (entry.encoder !== space.encoder || entry.dimension !== space.dimension) {
      throw new Error(`log entry ${entry.id} holds a ${entry.encoder}/${entry.dimension} vector in a ${space.encoder}/${space.dimension} index`);
    }
    index.upsert(entry.itemId, decodeWalVector(entry.id, entry.vector, space.dimension));
  }
}
