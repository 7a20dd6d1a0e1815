import type { ItemUpserted, UserInteraction, UserSignup } from '@coldstart/events';
import { FOLD_NAMES, loadFold, usersWithMinRatings, type Book } from '@coldstart/goodbooks';
import { itemEvent } from './demo-events.js';

export interface ChaosUser {
  userId: string;
  signup: UserSignup;
}

export interface ChaosEvents {
  items: ItemUpserted[];
  users: ChaosUser[];
  /** The real users' next ratings after their seed (at most INTERACTIONS_PER_USER each), sent as interactions. */
  interactions: UserInteraction[];
  /** Every (user, item) the behaviour model must hold exactly once: positive seeds and interactions (rating >= 4). */
  expectedLikes: { userId: string; itemId: string }[];
  /** Users taken from the folds' rating logs; the rest are synthetic. */
  realUsers: number;
}

/** Later ratings of a real user sent as interactions: enough to exercise learning and refreshes under kills. */
const INTERACTIONS_PER_USER = 3;
/** worker-index's BEHAVIOUR_POSITIVE_RATING default: the stack runs with it. */
const POSITIVE_RATING = 4;

/**
 * M catalog items and N signups, the same for the same M and N (only event ids carry the run).
 * Items are the three goodbooks folds' books (1259 in all); beyond those, copies of them with
 * suffixed ids and titles, so any M is a real-looking catalog. Users are the folds' users with
 * their first-rated book as the seed (the data README's cold-start protocol) as long as that book
 * is among the items; then synthetic users, each seeded with one item in turn and interested
 * in its first two genres.
 */
export async function chaosEvents(itemCount: number, userCount: number, runId: string, occurredAt: string): Promise<ChaosEvents> {
  const folds = await Promise.all(FOLD_NAMES.map((name) => loadFold(name)));
  const books = [...new Map(folds.flatMap((fold) => fold.books).map((book) => [book.bookId, book])).values()].sort((a, b) => a.bookId - b.bookId);
  const catalog: { itemId: string; book: Book }[] = [];
  for (let i = 0; i < itemCount; i++) {
    const book = books[i % books.length] as Book;
    const copy = Math.floor(i / books.length);
    catalog.push({
      itemId: copy === 0 ? String(book.bookId) : `${book.bookId}-copy${copy + 1}`,
      book: copy === 0 ? book : { ...book, title: `${book.title} (copy ${copy + 1})` },
    });
  }
  const items = catalog.map(({ itemId, book }) => ({ ...itemEvent(book, runId, occurredAt), eventId: `chaos-${runId}-item-${itemId}`, itemId }));
  const inCatalog = new Map(catalog.map(({ itemId, book }) => [itemId, book]));

  const users: ChaosUser[] = [];
  const signup = (userId: string, seedId: string, book: Book, rating: number): ChaosUser => ({
    userId,
    signup: {
      schemaVersion: 1,
      type: 'user.signup',
      eventId: `chaos-${runId}-signup-${userId}`,
      occurredAt,
      userId,
      interests: { ...(book.primaryGenre ? { categories: [book.primaryGenre] } : {}), items: [{ itemId: seedId, rating }] },
      locale: 'en',
    },
  });
  const seen = new Set<string>();
  const interactions: UserInteraction[] = [];
  for (const fold of folds) {
    for (const user of usersWithMinRatings(fold, 1)) {
      if (users.length >= userCount) break;
      const first = user.ratings[0];
      const book = first ? inCatalog.get(String(first.bookId)) : undefined;
      const userId = `u${user.userId}`;
      if (!first || !book || seen.has(userId)) continue;
      seen.add(userId);
      users.push(signup(userId, String(first.bookId), book, first.rating));
      const later = user.ratings.slice(1).filter((r) => inCatalog.has(String(r.bookId))).slice(0, INTERACTIONS_PER_USER);
      for (const r of later) {
        interactions.push({ schemaVersion: 1, type: 'user.interaction', eventId: `chaos-${runId}-interaction-${userId}-${r.bookId}`, occurredAt, userId, itemId: String(r.bookId), rating: r.rating });
      }
    }
  }
  const realUsers = users.length;
  for (let i = 0; users.length < userCount; i++) {
    const item = catalog[i % catalog.length] as { itemId: string; book: Book };
    // The seed's first two genres: more distinct interests than the real users' one genre, so
    // more of these users need an LLM request of their own rather than a cached answer.
    const categories = item.book.genres.slice(0, 2);
    const user = signup(`synthetic-${i}`, item.itemId, item.book, 4);
    users.push(categories.length > 0 ? { ...user, signup: { ...user.signup, interests: { ...user.signup.interests, categories } } } : user);
  }
  const positive = (rating: number | null | undefined) => rating == null || rating >= POSITIVE_RATING;
  const likes = new Map<string, { userId: string; itemId: string }>();
  for (const { userId, signup: event } of users) {
    for (const item of event.interests.items ?? []) if (positive(item.rating)) likes.set(`${userId}\n${item.itemId}`, { userId, itemId: item.itemId });
  }
  for (const i of interactions) if (positive(i.rating)) likes.set(`${i.userId}\n${i.itemId}`, { userId: i.userId, itemId: i.itemId });
  return { items, users, interactions, expectedLikes: [...likes.values()], realUsers };
}
