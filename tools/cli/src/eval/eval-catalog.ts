import { EmptyTextError, encodeVectorBase64, hashedTextVector, type Encoder } from '@coldstart/embeddings';
import type { ItemUpserted } from '@coldstart/events';
import type { RedisClient } from '@coldstart/config';
import { categoryStatsOf, type CategoryStatsSource, type SeedItem } from '@coldstart/expander';
import type { Book } from '@coldstart/goodbooks';
import { itemEmbeddingText } from '@coldstart/embeddings';
import { CatalogStore, normaliseCategory, type CategoryStats } from '@coldstart/store';
import { createVectorIndex, type VectorIndex } from '@coldstart/vector-index';
import { foldItemEvent } from './eval-data.js';

export interface CatalogItem {
  book: Book;
  /** What the index pool stores: normalised, distinct. */
  categories: string[];
  /** What the index pool stores of its authors. */
  authors: string[];
  /** What the embed pool encodes. */
  text: string;
  /** Its item event's occurredAt: the catalog of record's addedAt, its age for exploration. */
  occurredAt: string;
}

/** One encoder's view of the catalog: the index the recommend pool would search, and the stored vectors. */
export interface EmbeddedCatalog {
  /** The registry id it was loaded by (what --encoders names), e.g. wink-glove-100d. */
  encoderId: string;
  encoder: Encoder;
  index: VectorIndex;
  vectors: ReadonlyMap<string, Float32Array>;
}

/**
 * A fold's books as the production catalog would hold them after ingest: each book goes
 * through its item event (the demo's, or an export's own line), the embed pool's text and the
 * index pool's category normalisation, and the category statistics are counted the way
 * CatalogStore counts them (live items per category and per unordered pair), so the
 * CatalogExpander sees the same numbers in memory as it reads from Redis.
 */
export class EvalCatalog implements CategoryStatsSource {
  readonly items: ReadonlyMap<string, CatalogItem>;
  private readonly stats: CategoryStats;

  /**
   * `newItems`: books the protocol treats as brand new (new-items, cold-seed) were upserted at
   * `occurredAt` (a day before the run) instead of with the rest of the catalog.
   */
  constructor(books: readonly Book[], eventOf: (book: Book) => ItemUpserted = foldItemEvent, newItems?: { bookIds: ReadonlySet<number>; occurredAt: string }) {
    const items = new Map<string, CatalogItem>();
    for (const book of books) {
      const event = eventOf(book);
      const categories = [...new Set((event.categories ?? []).map(normaliseCategory).filter((c) => c.length > 0))];
      const occurredAt = newItems?.bookIds.has(book.bookId) ? newItems.occurredAt : event.occurredAt;
      items.set(event.itemId, { book, categories, authors: [...(event.authors ?? [])], text: itemEmbeddingText(event), occurredAt });
    }
    this.items = items;
    this.stats = categoryStatsOf([...items.values()].map((item) => item.categories));
  }

  categoryStats(): Promise<CategoryStats> {
    return Promise.resolve(this.stats);
  }

  /** When the item was first upserted (ms since the epoch), as CatalogStore records it. */
  addedAt(itemId: string): number | undefined {
    const item = this.items.get(itemId);
    return item ? Date.parse(item.occurredAt) : undefined;
  }

  /** The item's authors, as CatalogStore.getItems' record holds them. */
  authors(itemId: string): readonly string[] | undefined {
    return this.items.get(itemId)?.authors;
  }

  /** What the expand pool reads for a seed: CatalogStore.getItems' record. */
  seedItem(itemId: string): SeedItem | undefined {
    const item = this.items.get(itemId);
    return item ? { itemId, title: item.book.title, categories: item.categories } : undefined;
  }

  /** Writes the catalog of record as the index pool does (CatalogStore.upsert), with one encoder's vectors. */
  async store(embedded: EmbeddedCatalog, connection: { redis: RedisClient; prefix: string }): Promise<void> {
    const store = new CatalogStore(connection.redis, connection.prefix);
    for (const [itemId, vector] of embedded.vectors) {
      const item = this.items.get(itemId);
      if (!item) continue;
      await store.upsert({
        item: { itemId, title: item.book.title, authors: item.authors, categories: item.categories },
        occurredAt: item.occurredAt,
        eventId: `eval:${itemId}`,
        encoder: embedded.encoderId,
        dimension: vector.length,
        vector: encodeVectorBase64(vector),
      });
    }
  }

  /** Encodes every item and indexes it, as the embed and index pools do (an item with no word the encoder knows gets their hashed fallback vector). */
  async embed(encoderId: string, encoder: Encoder, onProgress?: (done: number, total: number) => void): Promise<EmbeddedCatalog> {
    const index = createVectorIndex({ kind: 'flat', dimension: encoder.dimension });
    const vectors = new Map<string, Float32Array>();
    const entries = [...this.items.entries()];
    // Batches like the embed pool's micro-batcher, so a T5 encoder runs as it would in production.
    const BATCH = 32;
    for (let start = 0; start < entries.length; start += BATCH) {
      const batch = entries.slice(start, start + BATCH);
      const encoded = await encodeEach(encoder, batch.map(([, item]) => item.text));
      batch.forEach(([itemId], i) => {
        const vector = encoded[i];
        if (!vector) return;
        index.upsert(itemId, vector);
        vectors.set(itemId, vector);
      });
      onProgress?.(Math.min(start + BATCH, entries.length), entries.length);
    }
    await index.maintain();
    return { encoderId, encoder, index, vectors };
  }
}

/** A batch, or text by text when one of them has no encodable word: that item gets the embed pool's hashed fallback vector. */
async function encodeEach(encoder: Encoder, texts: string[]): Promise<(Float32Array | undefined)[]> {
  try {
    return await encoder.encode(texts);
  } catch (error) {
    if (!(error instanceof EmptyTextError)) throw error;
    return Promise.all(
      texts.map((text) =>
        encoder.encode([text]).then(
          ([vector]) => vector,
          (inner: unknown) => {
            if (inner instanceof EmptyTextError) return hashedTextVector(text, encoder.dimension);
            throw inner;
          },
        ),
      ),
    );
  }
}
