import { type Book, type Rating, usersWithMinRatings } from '@coldstart/goodbooks';
import { mulberry32 } from '@coldstart/runtime';

export const PROTOCOL_NAMES = ['cold-start', 'new-items', 'cold-seed', 'category-only', 'warming'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

/** The interactions sent after the signup at which the warming protocol reads the list again. */
export const WARMING_STEPS: readonly number[] = [1, 3, 5];
const WARMING_SENT = Math.max(...WARMING_STEPS);

/**
 * A rating as the eval reads it: goodbooks' Rating, or a row of an export loaded into the same
 * shapes (eval-data.ts), whose rating and time may be missing.
 */
export interface EvalRating extends Omit<Rating, 'rating'> {
  /** 1–5; absent: a positive signal without stars (a click, a purchase). */
  rating?: number | undefined;
  /** When it happened (ms since the epoch); goodbooks has no times. */
  atMs?: number | undefined;
}

/** What a split is made from: a goodbooks fold, or an export in its shapes. */
export interface EvalFold {
  books: readonly Book[];
  /** Time order. */
  ratings: readonly EvalRating[];
}

/** One evaluated user: what their signup says (and, under warming, what they send next); `relevant` is what they went on to like. */
export interface EvalCase {
  userId: number;
  /** The item the signup names and the user's rating of it; absent under category-only, whose signup names a category alone. */
  seed?: { book: Book; rating: number | undefined; atMs: number | undefined };
  /** The signup's interest category: the primary genre of the user's first rated book; null when it has none. */
  category: string | null;
  /** Ratings sent as interactions after the signup, before the list is read (a warming step); none at signup. */
  seen: readonly EvalRating[];
  /** Under warming: the ratings right after the seed, in order, that the steps send; empty otherwise. */
  interactions: readonly EvalRating[];
  /** Books liked later (rated >= 4, or unrated), never one the signup or the sent interactions name; under new-items only new books. */
  relevant: ReadonlySet<number>;
  /** Under new-items: every later like, new books or not (what cold-start counts), to show what the new books' share costs. */
  relevantAll?: ReadonlySet<number>;
}

export interface EvalSplit {
  protocol: ProtocolName;
  /** Ratings anything learned may use: training users only, and no rating of a new book. */
  training: readonly EvalRating[];
  trainingUsers: number;
  cases: EvalCase[];
  /** Books treated as brand new (new-items and cold-seed protocols); empty otherwise. */
  newBooks: ReadonlySet<number>;
}

const TEST_SHARE = 0.2;
const NEW_ITEM_SHARE = 0.2;
const MIN_RATINGS = 5;
const RELEVANT_RATING = 4;

/** A like: rated at or above the threshold, or a positive signal without stars (the behaviour log's own rule). */
export const isPositive = (rating: EvalRating) => rating.rating === undefined || rating.rating >= RELEVANT_RATING;

/** A value in [0, 1) fixed by (seed, key): membership of one id in a split never depends on the others. */
function hashUnit(seed: number, key: number): number {
  return mulberry32((Math.imul(key, 0x9e3779b1) ^ Math.imul(seed, 0x85ebca6b)) >>> 0)();
}

/**
 * The protocol of the data's README. Users are split 80/20 by a seeded hash of their id (every
 * fold user, so training also learns from users with few ratings); test users with >= 5
 * ratings are evaluated. What a test user's signup says, and what counts as relevant:
 * - `cold-start`: their first rated book (with its primary genre as the interest category);
 *   relevant: their later likes.
 * - `new-items`: the same, but a fixed 20 % of the fold's books are brand new: their ratings
 *   are invisible to training, and only those books count as relevant.
 * - `cold-seed`: the same 20 % of books are new, and the signup names the first new book the
 *   user rated (new user, new item), with its primary genre; relevant: every other like of
 *   theirs, new books or not (none of it is known to the system).
 * - `category-only`: the primary genre of their first rated book, and no item; relevant: all
 *   their likes, the first included, since nothing was given away.
 * - `warming`: as cold-start, then their next 5 ratings are sent one by one (read at
 *   WARMING_STEPS); relevant: their likes after those 5, the same at every step, so only what
 *   the system was told changes along the curve (an early list holding a book the user is
 *   about to send counts it as a miss, which favours the later steps a little). Users with
 *   fewer ratings are left out.
 * Test users with nothing relevant are left out (recall is undefined for them).
 */
export function splitFold(fold: EvalFold, options: { seed: number; protocol: ProtocolName }): EvalSplit {
  const isTest = (userId: number) => hashUnit(options.seed, userId) < TEST_SHARE;
  // A different stream than the users' so the two choices are independent.
  const newBooks = new Set(
    options.protocol === 'new-items' || options.protocol === 'cold-seed' ? fold.books.filter((b) => hashUnit(options.seed ^ 0x5bd1e995, b.bookId) < NEW_ITEM_SHARE).map((b) => b.bookId) : [],
  );
  const training = fold.ratings.filter((r) => !isTest(r.userId) && !newBooks.has(r.bookId));
  const books = new Map(fold.books.map((b) => [b.bookId, b]));
  const cases: EvalCase[] = [];
  for (const user of usersWithMinRatings(fold, MIN_RATINGS)) {
    if (!isTest(user.userId)) continue;
    const evalCase = caseOf(user, books, options.protocol, newBooks);
    if (evalCase && evalCase.relevant.size > 0) cases.push(evalCase);
  }
  const trainingUsers = new Set(training.map((r) => r.userId)).size;
  return { protocol: options.protocol, training, trainingUsers, cases, newBooks };
}

function caseOf(user: { userId: number; ratings: EvalRating[] }, books: ReadonlyMap<number, Book>, protocol: ProtocolName, newBooks: ReadonlySet<number>): EvalCase | undefined {
  if (protocol === 'cold-seed') return coldSeedCase(user, books, newBooks);
  const [first, ...rest] = user.ratings;
  const firstBook = first ? books.get(first.bookId) : undefined;
  if (!first || !firstBook) return undefined;
  const category = firstBook.primaryGenre;
  const liked = (ratings: readonly EvalRating[], given: ReadonlySet<number>) =>
    new Set(ratings.filter((r) => isPositive(r) && !given.has(r.bookId) && (newBooks.size === 0 || newBooks.has(r.bookId))).map((r) => r.bookId));
  const seed = { book: firstBook, rating: first.rating, atMs: first.atMs };
  switch (protocol) {
    case 'category-only':
      // A signup must name something: without a category there is nothing this protocol could send.
      if (category === null) return undefined;
      return { userId: user.userId, category, seen: [], interactions: [], relevant: liked(user.ratings, new Set()) };
    case 'warming': {
      const interactions = rest.slice(0, WARMING_SENT);
      if (interactions.length < WARMING_SENT) return undefined;
      const given = new Set([first.bookId, ...interactions.map((r) => r.bookId)]);
      return { userId: user.userId, seed, category, seen: [], interactions, relevant: liked(rest.slice(WARMING_SENT), given) };
    }
    case 'cold-start':
      return { userId: user.userId, seed, category, seen: [], interactions: [], relevant: liked(rest, new Set([first.bookId])) };
    case 'new-items': {
      const relevantAll = new Set(rest.filter((r) => isPositive(r) && r.bookId !== first.bookId).map((r) => r.bookId));
      return { userId: user.userId, seed, category, seen: [], interactions: [], relevant: liked(rest, new Set([first.bookId])), relevantAll };
    }
  }
}

function coldSeedCase(user: { userId: number; ratings: EvalRating[] }, books: ReadonlyMap<number, Book>, newBooks: ReadonlySet<number>): EvalCase | undefined {
  const first = user.ratings.find((r) => newBooks.has(r.bookId));
  const book = first ? books.get(first.bookId) : undefined;
  if (!first || !book) return undefined;
  const relevant = new Set(user.ratings.filter((r) => isPositive(r) && r.bookId !== first.bookId).map((r) => r.bookId));
  return { userId: user.userId, seed: { book, rating: first.rating, atMs: first.atMs }, category: book.primaryGenre, seen: [], interactions: [], relevant };
}
