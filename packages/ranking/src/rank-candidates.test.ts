import { describe, expect, it } from 'vitest';
import { fuseScores, popularityPrior, rankCandidates, type RankInput } from './index.js';

const hits = (...pairs: [string, number][]) => pairs.map(([id, score]) => ({ id, score }));
const weights = { topic: 1, seed: 1, alsoLiked: 0, placement: 0, category: 0, popularity: 0, topicDecay: 1 };

function input(overrides: Partial<RankInput>): RankInput {
  return { topicHits: [], seedHits: [], weights, mmrLambda: 1, topN: 10, ...overrides };
}

describe('fuseScores', () => {
  it('credits an item a list missed with that list’s last similarity, not zero', () => {
    const fused = fuseScores(
      input({
        seedHits: [{ seedItemId: 's', hits: hits(['a', 0.9], ['b', 0.5]) }],
        topicHits: [{ topic: 't', hits: hits(['b', 0.8], ['c', 0.6]) }],
      }),
    );
    const score = Object.fromEntries(fused.map((f) => [f.itemId, f.score]));
    // a: seed 0.9 + topic floor 0.6; b: 0.5 + 0.8; c: seed floor 0.5 + 0.6.
    expect(score.a).toBeCloseTo(1.5);
    expect(score.b).toBeCloseTo(1.3);
    expect(score.c).toBeCloseTo(1.1);
    expect(fused.map((f) => f.itemId)).toEqual(['a', 'b', 'c']);
  });

  it('averages topics with decaying weights so more topics never outweigh the seed', () => {
    const seedHits = [{ seedItemId: 's', hits: hits(['x', 0.9], ['y', 0.1]) }];
    const topicHits = ['t1', 't2', 't3', 't4'].map((topic) => ({ topic, hits: hits(['y', 0.9], ['x', 0.1]) }));
    const fused = fuseScores(input({ seedHits, topicHits, weights: { ...weights, topic: 0.5, topicDecay: 0.5 } }));
    expect(fused[0]?.itemId).toBe('x');
    expect(fused[0]?.score).toBeCloseTo(0.9 + 0.5 * 0.1);
  });

  it('keeps as reason the list that contributed most among those that found the item', () => {
    const fused = fuseScores(
      input({
        seedHits: [{ seedItemId: 'seed-1', hits: hits(['a', 0.4]) }],
        topicHits: [{ topic: 'memoir', hits: hits(['a', 0.7], ['b', 0.2]) }],
        weights: { ...weights, seed: 2 },
      }),
    );
    expect(fused.find((f) => f.itemId === 'a')?.reason).toEqual({ kind: 'seed', source: 'seed-1', similarity: 0.4 });
    expect(fused.find((f) => f.itemId === 'b')?.reason).toEqual({ kind: 'topic', source: 'memoir', similarity: 0.2 });
  });

  it('adds the popularity prior, giving unknown items the neutral value', () => {
    const seedHits = [{ seedItemId: 's', hits: hits(['old', 0.5], ['new', 0.5], ['flop', 0.5]) }];
    const popularity = (id: string) => ({ old: 1, flop: 0 })[id];
    const fused = fuseScores(input({ seedHits, popularity, unknownPopularity: 0.5, weights: { ...weights, popularity: 1 } }));
    expect(fused.map((f) => [f.itemId, f.score])).toEqual([
      ['old', 1.5],
      ['new', 1],
      ['flop', 0.5],
    ]);
  });

  it('never returns an excluded item', () => {
    const fused = fuseScores(input({ seedHits: [{ seedItemId: 's', hits: hits(['s', 1], ['a', 0.5]) }], exclude: new Set(['s']) }));
    expect(fused.map((f) => f.itemId)).toEqual(['a']);
  });
});

describe('popularityPrior', () => {
  it('maps counts to their share of the largest and unknown items to undefined', () => {
    const prior = popularityPrior(new Map([['big', 1000], ['small', 10], ['none', 0]]));
    expect(prior('big')).toBe(1);
    expect(prior('small')).toBeCloseTo(0.01);
    expect(prior('none')).toBe(0);
    expect(prior('brand-new')).toBeUndefined();
  });
});

describe('rankCandidates', () => {
  it('filters categories, cuts to topN and keeps every item’s reason', () => {
    const categories: Record<string, string[]> = { a: ['horror'], b: ['memoir'], c: ['memoir', 'travel'], d: ['travel'] };
    const ranked = rankCandidates(
      input({
        topicHits: [{ topic: 'travel', hits: hits(['d', 0.9], ['c', 0.85]) }],
        seedHits: [{ seedItemId: 's', hits: hits(['a', 0.99], ['b', 0.7], ['c', 0.6]) }],
        categoryFilter: { categoriesOf: (id) => categories[id], exclude: new Set(['horror']) },
        topN: 2,
      }),
    );
    // a (the best) is horror; b = 0.7 + 0.85, d = 0.9 + 0.6, c = 0.6 + 0.85.
    expect(ranked.map((r) => r.itemId)).toEqual(['b', 'd']);
    expect(ranked.map((r) => r.reason)).toEqual([
      { kind: 'seed', source: 's', similarity: 0.7 },
      { kind: 'topic', source: 'travel', similarity: 0.9 },
    ]);
    const included = rankCandidates(
      input({ seedHits: [{ seedItemId: 's', hits: hits(['a', 0.9], ['b', 0.8], ['d', 0.7]) }], categoryFilter: { categoriesOf: (id) => categories[id], include: new Set(['memoir']) } }),
    );
    expect(included.map((r) => r.itemId)).toEqual(['b']);
  });
});
