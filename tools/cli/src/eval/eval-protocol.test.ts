import { describe, expect, it } from 'vitest';
import type { Book, Fold, Rating } from '@coldstart/goodbooks';
import { mulberry32 } from '@coldstart/runtime';
import { splitFold } from './eval-protocol.js';
import { bootstrapCi, scoreList } from './metrics.js';

const book = (bookId: number): Book => ({
  bookId, goodreadsBookId: bookId, title: `b${bookId}`, authors: [], primaryGenre: 'g', genres: ['g'], tags: [], publicationYear: null, ratingsCount: 0, languageCode: null,
});

/** 500 users rating 6 of 40 books each, in a random but fixed order. */
function syntheticFold(): Fold {
  const random = mulberry32(3);
  const ratings: Rating[] = [];
  for (let userId = 1; userId <= 500; userId++) {
    const seen = new Set<number>();
    while (seen.size < 6) seen.add(1 + Math.floor(random() * 40));
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
      expect(user.seed.bookId).toBe(own[0]?.bookId);
      expect(user.relevant.has(user.seed.bookId)).toBe(false);
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
