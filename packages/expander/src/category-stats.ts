import { pairKey, type CategoryStats } from '@coldstart/store';

/**
 * Category statistics computed in memory, as CatalogStore keeps them in Redis: items per
 * category and per unordered category pair, from each item's (normalised, distinct)
 * categories. For catalogs held in memory, as evaluation's, and the expander's tests.
 */
export function categoryStatsOf(categoryLists: Iterable<readonly string[]>): CategoryStats {
  const counts = new Map<string, number>();
  const pairs = new Map<string, number>();
  let items = 0;
  for (const categories of categoryLists) {
    items += 1;
    categories.forEach((a, i) => {
      counts.set(a, (counts.get(a) ?? 0) + 1);
      for (const b of categories.slice(i + 1)) pairs.set(pairKey(a, b), (pairs.get(pairKey(a, b)) ?? 0) + 1);
    });
  }
  return { items, counts, pairs };
}
