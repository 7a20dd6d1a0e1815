import { type Book, type Fold, type Rating, usersWithMinRatings } from '@coldstart/goodbooks';
import { mulberry32 } from '@coldstart/runtime';

export type ProtocolName = 'cold-start' | 'new-items';

/** One evaluated user: all the system is told is the seed; `relevant` is what they went on to like. */
export interface EvalCase {
  userId: number;
  seed: Book;
  /** The user's rating of the seed (the signup carries it). */
  seedRating: number;
  /** Ratings sent as interactions after the signup, before the list is read (the warming protocol); none otherwise. */
  seen: readonly Rating[];
  /** Later ratings >= 4, seed excluded; under new-items only those of new books. */
  relevant: ReadonlySet<number>;
}

export interface EvalSplit {
  protocol: ProtocolName;
  /** Ratings anything learned may use: training users only, and no rating of a new book. */
  training: readonly Rating[];
  trainingUsers: number;
  cases: EvalCase[];
  /** Books treated as brand new (new-items protocol); empty otherwise. */
  newBooks: ReadonlySet<number>;
}

const TEST_SHARE = 0.2;
const NEW_ITEM_SHARE = 0.2;
const MIN_RATINGS = 5;
const RELEVANT_RATING = 4;

/** A value in [0, 1) fixed by (seed, key): membership of one id in a split never depends on the others. */
function hashUnit(seed: number, key: number): number {
  return mulberry32((Math.imul(key, 0x9e3779b1) ^ Math.imul(seed, 0x85ebca6b)) >>> 0)();
}

/**
 * The protocol of the data's README. Users are split 80/20 by a seeded hash of their id (every
 * fold user, so training also learns from users with few ratings); test users with >= 5
 * ratings are evaluated on their first rating. Under `new-items` a fixed 20 % of the fold's
 * books are brand new: their ratings are invisible to training, and only those books count as
 * relevant. Test users with nothing relevant are left out (recall is undefined for them).
 */
export function splitFold(fold: Fold, options: { seed: number; protocol: ProtocolName }): EvalSplit {
  const isTest = (userId: number) => hashUnit(options.seed, userId) < TEST_SHARE;
  // A different stream than the users' so the two choices are independent.
  const newBooks = new Set(
    options.protocol === 'new-items' ? fold.books.filter((b) => hashUnit(options.seed ^ 0x5bd1e995, b.bookId) < NEW_ITEM_SHARE).map((b) => b.bookId) : [],
  );
  const training = fold.ratings.filter((r) => !isTest(r.userId) && !newBooks.has(r.bookId));
  const books = new Map(fold.books.map((b) => [b.bookId, b]));
  const cases: EvalCase[] = [];
  for (const user of usersWithMinRatings(fold, MIN_RATINGS)) {
    if (!isTest(user.userId)) continue;
    const [first, ...rest] = user.ratings;
    const seed = first ? books.get(first.bookId) : undefined;
    if (!seed) continue;
    const relevant = new Set(
      rest.filter((r) => r.rating >= RELEVANT_RATING && r.bookId !== seed.bookId && (newBooks.size === 0 || newBooks.has(r.bookId))).map((r) => r.bookId),
    );
    if (relevant.size > 0) cases.push({ userId: user.userId, seed, seedRating: first?.rating ?? 5, seen: [], relevant });
  }
  const trainingUsers = new Set(training.map((r) => r.userId)).size;
  return { protocol: options.protocol, training, trainingUsers, cases, newBooks };
}
