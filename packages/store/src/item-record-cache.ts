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
 *
 * Concurrent reads of one record share one HMGET while no change came between them: a recommend
 * job prepares dozens of lists at once, and on a cold cache each read every candidate's record
 * (28 000 HMGETs for the first 2 000 signups of `bench pipeline`, most of them the same 1 259).
 */
export class ItemRecordCache {
  private readonly records = new Map<string, CatalogItemRecord | null>();
  /** Bumped by every forget: a read that overlapped one does not fill the cache. */
  private generation = 0;
  /** Records being read from Redis, with the generation the read started in. */
  private readonly reading = new Map<string, { generation: number; record: Promise<CatalogItemRecord | null> }>();

  constructor(
    private readonly catalog: Pick<CatalogStore, 'getItems'>,
    /** Most records kept; the oldest cached go first. */
    private readonly maxEntries = 200_000,
  ) {}

  /** As CatalogStore.getItems: live items only, deleted and unknown ones left out (in no particular order). */
  async getItems(itemIds: readonly string[]): Promise<Map<string, CatalogItemRecord>> {
    const found = new Map<string, CatalogItemRecord>();
    const missing = new Set<string>();
    const joined: [string, Promise<CatalogItemRecord | null>][] = [];
    const generation = this.generation;
    for (const itemId of itemIds) {
      const record = this.records.get(itemId);
      if (record !== undefined) {
        if (record !== null) found.set(itemId, record);
        continue;
      }
      const reading = this.reading.get(itemId);
      // A read that started before a change may hold the older record: not shared.
      if (reading?.generation === generation) joined.push([itemId, reading.record]);
      else missing.add(itemId);
    }
    if (missing.size > 0) {
      const ids = [...missing];
      const read = this.catalog.getItems(ids);
      const shared = ids.map((itemId) => {
        const entry = { generation, record: read.then((records) => records.get(itemId) ?? null) };
        // Whoever joins sees a failed read fail; nobody joining must not make it an unhandled rejection.
        entry.record.catch(() => undefined);
        this.reading.set(itemId, entry);
        return entry;
      });
      try {
        const records = await read;
        const fill = generation === this.generation;
        for (const itemId of ids) {
          const record = records.get(itemId);
          if (record) found.set(itemId, record);
          if (fill) this.remember(itemId, record ?? null);
        }
      } finally {
        ids.forEach((itemId, i) => {
          if (this.reading.get(itemId) === shared[i]) this.reading.delete(itemId);
        });
      }
    }
    for (const [itemId, reading] of joined) {
      const record = await reading;
      if (record) found.set(itemId, record);
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
