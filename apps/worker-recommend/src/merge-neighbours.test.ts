import { describe, expect, it } from 'vitest';
import { mergeNeighbours } from './merge-neighbours.js';

const hits = (...pairs: [string, number][]) => pairs.map(([id, score]) => ({ id, score }));

describe('mergeNeighbours', () => {
  it('gives every topic a turn, so one dominant topic cannot fill the list', () => {
    const merged = mergeNeighbours(
      [
        { topic: 'memoir', hits: hits(['m1', 0.95], ['m2', 0.94], ['m3', 0.93]) },
        { topic: 'travel', hits: hits(['t1', 0.6], ['t2', 0.5]) },
      ],
      4,
    );
    expect(merged.map((c) => [c.itemId, c.reason])).toEqual([
      ['m1', 'memoir'],
      ['t1', 'travel'],
      ['m2', 'memoir'],
      ['t2', 'travel'],
    ]);
  });

  it('credits an item found by several topics to the first that reached it, once', () => {
    const merged = mergeNeighbours(
      [
        { topic: 'a', hits: hits(['x', 0.9], ['y', 0.8]) },
        { topic: 'b', hits: hits(['x', 0.99], ['z', 0.7]) },
      ],
      10,
    );
    expect(merged).toEqual([
      { itemId: 'x', score: 0.9, reason: 'a' },
      { itemId: 'y', score: 0.8, reason: 'a' },
      { itemId: 'z', score: 0.7, reason: 'b' },
    ]);
  });

  it('handles no topics and a zero limit', () => {
    expect(mergeNeighbours([], 5)).toEqual([]);
    expect(mergeNeighbours([{ topic: 'a', hits: hits(['x', 1]) }], 0)).toEqual([]);
  });
});
