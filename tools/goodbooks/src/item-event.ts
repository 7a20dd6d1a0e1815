import { EVENT_LIMITS, type ItemUpserted } from '@coldstart/events';
import type { Book } from './types.js';

/** A book's categories: its canonical genres, then its content shelves, without repeats. */
function categoriesOf(book: Book): string[] {
  return [...new Set([...book.genres, ...book.tags])].slice(0, EVENT_LIMITS.itemCategories);
}

/**
 * A goodbooks book as the catalog's `item.upserted` event: what the demo, chaos, eval and the
 * benchmarks send or embed, so every tool measures the catalog production ingests.
 */
export function bookItemEvent(book: Book, eventId: string, occurredAt: string): ItemUpserted {
  return {
    schemaVersion: 1,
    type: 'item.upserted',
    eventId,
    occurredAt,
    itemId: String(book.bookId),
    title: book.title,
    authors: book.authors.slice(0, EVENT_LIMITS.authors),
    categories: categoriesOf(book),
    attributes: {
      ...(book.publicationYear !== null ? { publicationYear: book.publicationYear } : {}),
      ...(book.languageCode ? { language: book.languageCode } : {}),
    },
  };
}
