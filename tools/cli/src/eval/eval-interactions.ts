import type { Interaction } from '@coldstart/behaviour';
import type { EvalCase, EvalRating } from './eval-protocol.js';

/** Goodbooks has no timestamps: every rating is taken to happen at one instant, so none decays. */
const RATED_AT_MS = Date.parse('2017-01-01T00:00:00Z');

/** A training user's rating, as `interactions import` backfills it. */
export function trainingInteraction(rating: EvalRating): Interaction {
  return { eventId: `train:${rating.userId}:${rating.bookId}`, userId: String(rating.userId), itemId: String(rating.bookId), rating: rating.rating, atMs: rating.atMs ?? RATED_AT_MS };
}

/** Test users live beside the training users in one behaviour log, so their ids must never meet. */
const testUserId = (user: EvalCase) => `test:${user.userId}`;

/** What the signup flow learns: the seed item with its rating (a category-only signup names no item, so nothing). */
export function signupInteractions(user: EvalCase): Interaction[] {
  if (!user.seed) return [];
  const { book, rating, atMs } = user.seed;
  return [{ eventId: `signup:${user.userId}:${book.bookId}`, userId: testUserId(user), itemId: String(book.bookId), rating, atMs: atMs ?? RATED_AT_MS }];
}

/** What the interaction flow learns from `user.interaction` events the user sends after signing up. */
export function sentInteractions(user: EvalCase, ratings: readonly EvalRating[]): Interaction[] {
  return ratings.map((r) => ({ eventId: `interaction:${r.userId}:${r.bookId}`, userId: testUserId(user), itemId: String(r.bookId), rating: r.rating, atMs: r.atMs ?? RATED_AT_MS }));
}
