import { describe, expect, it } from 'vitest';
import type { Book, Fold, Rating } from '@coldstart/goodbooks';
import { mulberry32 } from '@coldstart/runtime';
import { splitFold, WARMING_STEPS } from './eval-protocol.js';
import { bootstrapCi, scoreList } from './metrics.js';

const book = (bookId: number): Book => ({
  bookId, goodreadsBookId: bookId, title: `b${bookId}`, authors: [], primaryGenre: 'g', genres: ['g'], tags: [], publicationYear: null, ratingsCount: 0, languageCode: null,
});

/** 500 users rating 8 of 40 books each, in a random but fixed order (enough for warming's seed, 5 sent and a later like). */
function syntheticFold(): Fold {
  const random = mulberry32(3);
  const ratings: Rating[] = [];
  for (let userId = 1; userId <= 500; userId++) {
    const seen = new Set<number>();
    while (seen.size < 8) seen.add(1 + Math.floor(random() * 40));
    for (const bookId of seen) ratings.push({ userId, bookId, rating: 1 + Math.floor(random() * 5) });
  }
  return { name: 'a', books: Array.from({ length: 40 }, (_, i) => book(i + 1)), ratings };
}

describe('splitFold', () => {
  const fold = syntheticFold();

  it('evaluates a fixed fifth of the users on their first rating, never counting the seed, and trains on the rest', () => {
    const split = splitFold(fold, { seed: 7, protocol: 'cold-start' });
    expect(splitFold(fold, { seed: 7, protocol: 'cold-start' }).cases.map((c) => c.userId)).toEqual(split.cases.map((c) => c.userId));
    const testUsers = new Set(split.cases.map((c) => c.userId));
    expect(testUsers.size).toBeGreaterThan(60);
    expect(testUsers.size).toBeLessThan(140);
    expect(split.training.some((r) => testUsers.has(r.userId))).toBe(false);
    for (const user of split.cases) {
      const own = fold.ratings.filter((r) => r.userId === user.userId);
      expect(user.seed?.book.bookId).toBe(own[0]?.bookId);
      expect(user.seed?.rating).toBe(own[0]?.rating);
      expect(user.category).toBe(user.seed?.book.primaryGenre);
      expect(user.relevant.has(own[0]?.bookId ?? -1)).toBe(false);
      expect([...user.relevant].sort()).toEqual(own.slice(1).filter((r) => r.rating >= 4).map((r) => r.bookId).sort());
    }
    expect(splitFold(fold, { seed: 8, protocol: 'cold-start' }).cases.map((c) => c.userId)).not.toEqual(split.cases.map((c) => c.userId));
  });

  it('hides every rating of the new books from training and counts only them as relevant', () => {
    const split = splitFold(fold, { seed: 7, protocol: 'new-items' });
    expect(split.newBooks.size).toBeGreaterThan(3);
    expect(split.newBooks.size).toBeLessThan(14);
    expect(split.training.some((r) => split.newBooks.has(r.bookId))).toBe(false);
    for (const user of split.cases) for (const id of user.relevant) expect(split.newBooks.has(id)).toBe(true);
    expect(split.cases.length).toBeGreaterThan(0);
    // Every later like, new or not, for the cost the new books' slots have on all of them.
    for (const user of split.cases) {
      const own = fold.ratings.filter((r) => r.userId === user.userId);
      expect([...(user.relevantAll ?? [])].sort()).toEqual(own.slice(1).filter((r) => r.rating >= 4 && r.bookId !== own[0]?.bookId).map((r) => r.bookId).sort());
    }
  });

  it('gives a cold-seed signup the first new book the user rated, hidden from training, and counts every other like', () => {
    const newItems = splitFold(fold, { seed: 7, protocol: 'new-items' });
    const split = splitFold(fold, { seed: 7, protocol: 'cold-seed' });
    expect([...split.newBooks]).toEqual([...newItems.newBooks]);
    expect(split.training).toEqual(newItems.training);
    expect(split.cases.length).toBeGreaterThan(0);
    for (const user of split.cases) {
      const own = fold.ratings.filter((r) => r.userId === user.userId);
      const first = own.find((r) => split.newBooks.has(r.bookId));
      expect(user.seed?.book.bookId).toBe(first?.bookId);
      expect(user.category).toBe(user.seed?.book.primaryGenre);
      expect([...user.relevant].sort()).toEqual(own.filter((r) => r.rating >= 4 && r !== first).map((r) => r.bookId).sort());
    }
  });

  it('gives a category-only signup its first book\'s genre and no item, and counts every like as relevant, the first included', () => {
    const coldStart = splitFold(fold, { seed: 7, protocol: 'cold-start' });
    const split = splitFold(fold, { seed: 7, protocol: 'category-only' });
    expect(split.training).toEqual(coldStart.training);
    expect(split.cases.length).toBeGreaterThanOrEqual(coldStart.cases.length);
    for (const user of split.cases) {
      const own = fold.ratings.filter((r) => r.userId === user.userId);
      expect(user.seed).toBeUndefined();
      expect(user.category).toBe(fold.books.find((b) => b.bookId === own[0]?.bookId)?.primaryGenre);
      expect(user.seen).toEqual([]);
      expect([...user.relevant].sort()).toEqual(own.filter((r) => r.rating >= 4).map((r) => r.bookId).sort());
    }
    // Nothing is given away, so a first book rated >= 4 is something to find.
    expect(split.cases.some((user) => user.relevant.has(fold.ratings.find((r) => r.userId === user.userId)?.bookId ?? -1))).toBe(true);
  });

  it('sends a warming user\'s next ratings in order and scores every step on the likes after the last of them', () => {
    const sent = Math.max(...WARMING_STEPS);
    const split = splitFold(fold, { seed: 7, protocol: 'warming' });
    expect(split.cases.length).toBeGreaterThan(0);
    for (const user of split.cases) {
      const own = fold.ratings.filter((r) => r.userId === user.userId);
      expect(user.seed?.book.bookId).toBe(own[0]?.bookId);
      expect(user.interactions).toEqual(own.slice(1, 1 + sent));
      expect(user.seen).toEqual([]);
      const given = new Set(own.slice(0, 1 + sent).map((r) => r.bookId));
      expect([...user.relevant].sort()).toEqual(own.slice(1 + sent).filter((r) => r.rating >= 4 && !given.has(r.bookId)).map((r) => r.bookId).sort());
      expect(user.relevant.size).toBeGreaterThan(0);
    }
  });

  it('counts an unrated interaction as a like, as the behaviour log does', () => {
    const unrated: Fold = { ...fold, ratings: fold.ratings.map(({ userId, bookId }) => ({ userId, bookId }) as Rating) };
    const split = splitFold(unrated, { seed: 7, protocol: 'cold-start' });
    for (const user of split.cases) expect(user.relevant.size).toBe(new Set(unrated.ratings.filter((r) => r.userId === user.userId).slice(1).map((r) => r.bookId)).size);
  });
});

describe('metrics', () => {
  it('scores binary relevance at K', () => {
    const scores = scoreList([5, 1, 7, 2], new Set([1, 2, 9]), 3);
    // Only 1 (rank 2) is relevant within the first 3; the ideal list has 3 relevant at the top.
    expect(scores.recall).toBeCloseTo(1 / 3);
    expect(scores.ndcg).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3) + 1 / Math.log2(4)));
    expect(scores.hit).toBe(1);
    expect(scoreList([4], new Set([1]), 10)).toEqual({ recall: 0, ndcg: 0, hit: 0 });
  });

  it('brackets the mean with a bootstrap interval that narrows with more users', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const [lo, hi] = bootstrapCi(values(400), mulberry32(1));
    expect(lo).toBeLessThan(0.25);
    expect(hi).toBeGreaterThan(0.25);
    const [lo2, hi2] = bootstrapCi(values(4000), mulberry32(1));
    expect(hi2 - lo2).toBeLessThan((hi - lo) / 2);
  });
});
