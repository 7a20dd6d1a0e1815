import { describe, expect, it } from 'vitest';
import { contentQueries, DEFAULT_RANKING, rankCandidates, userRankInput, type SignalSources } from './index.js';
import { MIN_TOPIC_CANDIDATES, topicCandidates } from './rank-user.js';

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

describe('content queries', () => {
  const vector = new Float32Array([1, 0]);
  const topics = ['a', 'b', 'c', 'd', 'e', 'f'].map((topic) => ({ topic, vector }));
  const exclude = new Set<string>(['seen']);

  it('fetches fewer neighbours for a later topic, as its weight decays, never under the floor; every seed the full count', () => {
    const queries = contentQueries({ topics, seeds: ['s1', 's2'], exclude }, () => vector, DEFAULT_RANKING);
    expect(queries.map((q) => [q.kind, q.source, q.k])).toEqual([
      ['topic', 'a', 200],
      ['topic', 'b', 100],
      ['topic', 'c', 50],
      ['topic', 'd', 25],
      ['topic', 'e', MIN_TOPIC_CANDIDATES],
      ['topic', 'f', MIN_TOPIC_CANDIDATES],
      ['seed', 's1', 200],
      ['seed', 's2', 200],
    ]);
  });

  it('never fetches more for a topic than the setting, whatever the decay, and as many for every topic without decay', () => {
    const settings = (candidates: number, topicDecay: number) => ({ candidates, weights: { ...DEFAULT_RANKING.weights, topicDecay } });
    expect([0, 1, 2].map((rank) => topicCandidates(settings(10, 0.5), rank))).toEqual([10, 10, 10]);
    expect([0, 1, 2].map((rank) => topicCandidates(settings(300, 1), rank))).toEqual([300, 300, 300]);
    expect([0, 1, 2].map((rank) => topicCandidates(settings(300, 1.5), rank))).toEqual([300, 300, 300]);
    expect([0, 1].map((rank) => topicCandidates(settings(300, 0), rank))).toEqual([300, MIN_TOPIC_CANDIDATES]);
  });

  it('searches each query for its own count when userRankInput searches itself', () => {
    const asked: number[] = [];
    const search: SignalSources['search'] = (_vector, k) => {
      asked.push(k);
      return [];
    };
    userRankInput({ topics: topics.slice(0, 3), seeds: ['s1'], categories: [], exclude }, { search, itemVector: () => vector }, DEFAULT_RANKING, 10);
    expect(asked).toEqual([200, 100, 50, 200]);
  });
});
