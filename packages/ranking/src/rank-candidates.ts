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
  return input.exploration ? explore(list, allowed, input.exploration, input.topN) : list;
}

function passes(itemId: string, filter: CategoryFilter): boolean {
  const categories = filter.categoriesOf(itemId) ?? [];
  if (filter.exclude && categories.some((c) => filter.exclude?.has(c))) return false;
  if (filter.include && !categories.some((c) => filter.include?.has(c))) return false;
  return true;
}
