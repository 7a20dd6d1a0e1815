import type { CatalogItemRecord, CatalogStore } from './catalog-store.js';

/**
 * The catalog's item records, kept in the process between jobs: a list reads the records of
 * every candidate (hundreds of HMGETs, most of the Redis commands a signup cost) though they
 * change only when the item is upserted or deleted. A record changes only in the script that
 * appends the item's entry to the index logs, so the recommend pool's replicas, which apply every
 * entry, say when to forget one (`forget`), and `forgetAll` when a replica restarts from a
 * snapshot and skips entries. A record is cached only if nothing was forgotten while it was
 * being read, so a read that raced an upsert never caches the older version. A list is thus as
 * fresh as the replica it searched: it catches up before every list.
 */
export class ItemRecordCache {
  private readonly records = new Map<string, CatalogItemRecord | null>();
  /** Bumped by every forget: a read that overlapped one does not fill the cache. */
  private generation = 0;

  constructor(
    private readonly catalog: Pick<CatalogStore, 'getItems'>,
    /** Most records kept; the oldest cached go first. */
    private readonly maxEntries = 200_000,
  ) {}

  /** As CatalogStore.getItems: live items only, deleted and unknown ones left out. */
  async getItems(itemIds: readonly string[]): Promise<Map<string, CatalogItemRecord>> {
    const found = new Map<string, CatalogItemRecord>();
    const missing: string[] = [];
    for (const itemId of itemIds) {
      const record = this.records.get(itemId);
      if (record === undefined) missing.push(itemId);
      else if (record !== null) found.set(itemId, record);
    }
    if (missing.length === 0) return found;
    const generation = this.generation;
    const read = await this.catalog.getItems(missing);
    const fill = generation === this.generation;
    for (const itemId of missing) {
      const record = read.get(itemId);
      if (record) found.set(itemId, record);
      if (fill) this.remember(itemId, record ?? null);
    }
    return found;
  }

  forget(itemId: string): void {
    this.generation += 1;
    this.records.delete(itemId);
  }

  forgetAll(): void {
    this.generation += 1;
    this.records.clear();
  }

  get size(): number {
    return this.records.size;
  }

  private remember(itemId: string, record: CatalogItemRecord | null): void {
    if (this.records.size >= this.maxEntries) {
      const oldest = this.records.keys().next();
      if (!oldest.done) this.records.delete(oldest.value);
    }
    this.records.set(itemId, record);
  }
}
