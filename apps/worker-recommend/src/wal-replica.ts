import { decodeVectorBase64 } from '@coldstart/embeddings';
import type { CatalogStore, WalEntry } from '@coldstart/store';
import { createVectorIndex, type VectorIndex } from '@coldstart/vector-index';

export interface VectorSpace {
  encoder: string;
  dimension: number;
}

/**
 * A read replica of the item index: a FAISS index rebuilt from the catalog's write-ahead log
 * and kept current by applying the entries appended since. `catchUp()` before a search gives
 * read-your-writes: everything the index pool logged before the call is searchable after it.
 */
export class WalReplica {
  private lastId = '0';
  private appliedCount = 0;
  private current: { index: VectorIndex; space: VectorSpace } | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: Pick<CatalogStore, 'readWal'>,
    /** The index to follow: one per encoder, named after it. */
    readonly indexName: string,
    private readonly batchSize = 1_000,
  ) {}

  get index(): VectorIndex | undefined {
    return this.current?.index;
  }

  get space(): VectorSpace | undefined {
    return this.current?.space;
  }

  get position(): string {
    return this.lastId;
  }

  /** Log entries applied since the start of the log (the replica replays it from the start). */
  get applied(): number {
    return this.appliedCount;
  }

  /**
   * Each call drains the log after every call before it, so a caller never returns before
   * the entries that existed when it called are applied; concurrent callers share the reads.
   */
  catchUp(): Promise<void> {
    const next = this.queue.then(() => this.drain());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const entries = await this.log.readWal(this.indexName, this.lastId, this.batchSize);
      for (const entry of entries) {
        this.apply(entry);
        this.lastId = entry.id;
        this.appliedCount += 1;
      }
      // Compacts the tombstones deletes and replacements leave behind, off the hot path.
      await this.current?.index.maintain();
      if (entries.length < this.batchSize) return;
    }
  }

  private apply(entry: WalEntry): void {
    if (entry.op === 'delete') {
      this.current?.index.remove(entry.itemId);
      return;
    }
    if (!this.current) {
      this.current = {
        index: createVectorIndex({ kind: 'flat', dimension: entry.dimension }),
        space: { encoder: entry.encoder, dimension: entry.dimension },
      };
    }
    const { space, index } = this.current;
    if (entry.encoder !== space.encoder || entry.dimension !== space.dimension) {
      throw new Error(`log entry ${entry.id} holds a ${entry.encoder}/${entry.dimension} vector in a ${space.encoder}/${space.dimension} index`);
    }
    index.upsert(entry.itemId, decodeVectorBase64(entry.vector, space.dimension));
  }
}

/** One replica per encoder's index, created on first use; the profile's encoder picks it. */
export class ReplicaSet {
  private readonly replicas = new Map<string, WalReplica>();

  constructor(private readonly log: Pick<CatalogStore, 'readWal'>) {}

  /** Every replica created so far (for lag metrics and readiness). */
  all(): WalReplica[] {
    return [...this.replicas.values()];
  }

  forEncoder(encoder: string): WalReplica {
    let replica = this.replicas.get(encoder);
    if (!replica) this.replicas.set(encoder, (replica = new WalReplica(this.log, encoder)));
    return replica;
  }
}
