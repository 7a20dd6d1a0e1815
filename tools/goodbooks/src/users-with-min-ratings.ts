import type { Fold, Rating } from './types.js';

/**
 * Users with at least `min` ratings in the fold, ordered by their first rating in the file, each
 * with their ratings in file (= time) order. The first rating is the cold-start seed, which is why
 * both orders matter.
 */
export function usersWithMinRatings(fold: Fold, min: number): { userId: number; ratings: Rating[] }[] {
  // A Map iterates in insertion order, i.e. by each user's first appearance.
  const byUser = new Map<number, Rating[]>();
  for (const rating of fold.ratings) {
    const list = byUser.get(rating.userId);
    if (list === undefined) byUser.set(rating.userId, [rating]);
    else list.push(rating);
  }
  const users: { userId: number; ratings: Rating[] }[] = [];
  for (const [userId, ratings] of byUser) {
    if (ratings.length >= min) users.push({ userId, ratings });
  }
  return users;
}
