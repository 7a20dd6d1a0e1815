import type { Rating } from './types.js';

/**
 * Users with at least `min` ratings in the fold, ordered by their first rating in the file, each
 * with their ratings in file (= time) order. The first rating is the cold-start seed, which is why
 * both orders matter. Generic over the rating so data loaded into the fold's shapes from
 * elsewhere (an export with timestamps or unrated rows) keeps its own fields.
 */
export function usersWithMinRatings<R extends Pick<Rating, 'userId'> = Rating>(fold: { ratings: readonly R[] }, min: number): { userId: number; ratings: R[] }[] {
  // A Map iterates in insertion order, i.e. by each user's first appearance.
  const byUser = new Map<number, R[]>();
  for (const rating of fold.ratings) {
    const list = byUser.get(rating.userId);
    if (list === undefined) byUser.set(rating.userId, [rating]);
    else list.push(rating);
  }
  const users: { userId: number; ratings: R[] }[] = [];
  for (const [userId, ratings] of byUser) {
    if (ratings.length >= min) users.push({ userId, ratings });
  }
  return users;
}
