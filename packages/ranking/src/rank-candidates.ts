import { fuseScores } from './fuse-scores.js';
import { explore } from './explore.js';
import { mmrRerank } from './mmr.js';
import type { CategoryFilter, RankedItem, RankInput } from './types.js';

/**
 * A cold-start user's list: neighbours of every topic and seed item fused into one score with
 * an optional popularity prior, seen items and filtered categories removed, then re-ranked for
 * diversity, with a share kept for new items when exploration is on. The recommend pool and `coldstart eval` both call this, so what is measured is
 * what is served.
 */
export function rankCandidates(input: RankInput): RankedItem[] {
  const fused = fuseScores(input);
  const allowed = input.categoryFilter ? fused.filter((c) => passes(c.itemId, input.categoryFilter as CategoryFilter)) : fused;
  const list = mmrRerank(allowed, input.topN, input.mmrLambda, input.similarity).map(({ itemId, score, reason }) => ({ itemId, score, reason }));
  return input.exploration ? explore(list, allowed, input.exploration, input.topN, seedSimilarity(input)) : list;
}

/** Each item's content similarity to the closest of the user's seed and seen items; 0 for one no seed's neighbours hold. */
function seedSimilarity(input: RankInput): (itemId: string) => number {
  const closest = new Map<string, number>();
  for (const { hits } of input.seedHits) for (const hit of hits) closest.set(hit.id, Math.max(closest.get(hit.id) ?? -Infinity, hit.score));
  return (itemId) => closest.get(itemId) ?? 0;
}

function passes(itemId: string, filter: CategoryFilter): boolean {
  const categories = filter.categoriesOf(itemId) ?? [];
  if (filter.exclude && categories.some((c) => filter.exclude?.has(c))) return false;
  if (filter.include && !categories.some((c) => filter.include?.has(c))) return false;
  return true;
}
