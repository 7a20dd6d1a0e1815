import { describe, expect, it } from 'vitest';
import { pairKey } from '@coldstart/store';
import { categoryStatsOf } from './category-stats.js';

describe('categoryStatsOf', () => {
  it('counts items, items per category and items per unordered pair', () => {
    const stats = categoryStatsOf([['a', 'b', 'c'], ['b', 'a'], ['c']]);
    expect(stats.items).toBe(3);
    expect(Object.fromEntries(stats.counts)).toEqual({ a: 2, b: 2, c: 2 });
    expect(stats.pairs.get(pairKey('a', 'b'))).toBe(2);
    expect(stats.pairs.get(pairKey('b', 'a'))).toBe(2);
    expect(stats.pairs.get(pairKey('a', 'c'))).toBe(1);
    expect(stats.pairs.size).toBe(3);
  });
});
