import { describe, expect, it } from 'vitest';
import { DEFAULT_RANKING, rankCandidates, userRankInput, type SignalSources } from './index.js';

/** A catalog with a bestseller and a book of poetry a fifth as popular; `share` is poetry's share of all popularity. */
function sources(share: number): SignalSources {
  const popularity: Record<string, number> = { bestseller: 1, verse: 0.2 };
  return {
    search: () => [],
    itemVector: () => undefined,
    behaviour: {
      alsoLiked: () => [],
      popular: (limit, options = {}) =>
        (options.category === 'poetry' ? [{ itemId: 'verse', score: 1 }] : [{ itemId: 'bestseller', score: 1 }, { itemId: 'verse', score: 0.2 }])
          .filter((item) => !options.exclude?.has(item.itemId))
          .slice(0, limit),
      popularity: (itemId) => popularity[itemId],
      categoryShare: (category) => (category === 'poetry' ? share : undefined),
    },
  };
}

describe('userRankInput', () => {
  // A category-only signup: no topic, no seed item.
  const signals = { topics: [], seeds: [], categories: ['poetry'], exclude: new Set<string>() };
  const settings = { ...DEFAULT_RANKING, weights: { ...DEFAULT_RANKING.weights, category: 0.1, popularity: 0.3 } };
  const ranked = (share: number) => rankCandidates(userRankInput(signals, sources(share), settings, 2));

  it('scores a category\'s popular items as the prior over the category\'s share, so a category counts as its weight says however small it is', () => {
    // verse: 0.3 × 0.2 + 0.1 × 0.2 / share; bestseller: 0.3 × 1.
    expect(ranked(0.5).map((r) => r.itemId)).toEqual(['bestseller', 'verse']);
    const niche = ranked(0.05);
    expect(niche.map((r) => r.itemId)).toEqual(['verse', 'bestseller']);
    expect(niche[0]?.score).toBeCloseTo(0.3 * 0.2 + 0.1 * 4);
    expect(niche[0]?.reason.kind).toBe('popular-in');
    expect(niche[0]?.reason.similarity).toBeCloseTo(4);
  });

  it('leaves out a category nobody liked anything in', () => {
    const input = userRankInput({ ...signals, categories: ['unknown'] }, sources(0.5), settings, 2);
    expect(input.categoryHits).toEqual([]);
    expect(rankCandidates(input).map((r) => r.itemId)).toEqual(['bestseller', 'verse']);
  });
});
