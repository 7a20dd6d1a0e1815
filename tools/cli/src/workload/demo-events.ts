import type { ItemUpserted, UserSignup } from '@coldstart/events';
import { bookItemEvent, type Book, type Fold } from '@coldstart/goodbooks';

export interface DemoUser {
  userId: string;
  seed: Book;
  signup: UserSignup;
}

/** A book as the demo's catalog event (one event id per run and book). */
export function itemEvent(book: Book, runId: string, occurredAt: string): ItemUpserted {
  return bookItemEvent(book, `demo-${runId}-item-${book.bookId}`, occurredAt);
}

/**
 * The cold-start protocol of the data's README: a user's first rated book in the fold is all
 * the system learns at signup. Its primary genre is the interest category, the book the seed.
 */
export function demoUsers(fold: Fold, users: readonly { userId: number; ratings: readonly { bookId: number; rating: number }[] }[], runId: string, occurredAt: string): DemoUser[] {
  const books = new Map(fold.books.map((book) => [book.bookId, book]));
  return users.flatMap((user) => {
    const first = user.ratings[0];
    const seed = first ? books.get(first.bookId) : undefined;
    if (!first || !seed) return [];
    const userId = String(user.userId);
    const signup: UserSignup = {
      schemaVersion: 1,
      type: 'user.signup',
      eventId: `demo-${runId}-signup-${userId}`,
      occurredAt,
      userId,
      interests: {
        ...(seed.primaryGenre ? { categories: [seed.primaryGenre] } : {}),
        items: [{ itemId: String(seed.bookId), rating: first.rating }],
      },
      locale: 'en',
    };
    return [{ userId, seed, signup }];
  });
}
