import type { ItemDeleted, ItemUpserted, UserInteraction, UserSignup } from '@coldstart/events';
import type { Book } from '@coldstart/goodbooks';

let counter = 0;
const now = () => new Date().toISOString();
const nextId = (kind: string) => `${kind}-${process.pid}-${Date.now()}-${++counter}`;

export function upserted(book: Book): ItemUpserted {
  return {
    schemaVersion: 1,
    type: 'item.upserted',
    eventId: nextId('item'),
    occurredAt: now(),
    itemId: String(book.bookId),
    title: book.title,
    authors: book.authors,
    categories: [...new Set([...book.genres, ...book.tags])],
  };
}

export function deleted(itemId: string): ItemDeleted {
  return { schemaVersion: 1, type: 'item.deleted', eventId: nextId('delete'), occurredAt: now(), itemId };
}

export function signup(userId: string, seed: Book, eventId = nextId('signup')): UserSignup {
  return {
    schemaVersion: 1,
    type: 'user.signup',
    eventId,
    occurredAt: now(),
    userId,
    interests: { ...(seed.primaryGenre ? { categories: [seed.primaryGenre] } : {}), items: [{ itemId: String(seed.bookId), rating: 5 }] },
  };
}

export function interaction(userId: string, itemId: string): UserInteraction {
  return { schemaVersion: 1, type: 'user.interaction', eventId: nextId('interaction'), occurredAt: now(), userId, itemId, rating: 4 };
}
