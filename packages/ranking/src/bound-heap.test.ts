import { describe, expect, it } from 'vitest';
import { BoundHeap } from './bound-heap.js';

/** A deterministic stream in [0, 1). */
const noise = (i: number) => {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x);
};

describe('BoundHeap', () => {
  it('gives the positions by key, highest first, the lower position first among equals, through re-keyed tops', () => {
    for (let seed = 1; seed <= 200; seed++) {
      let draw = seed * 7_919;
      const next = () => noise(draw++);
      const count = Math.floor(next() * 60);
      // Keys from a few values (many ties), some NaN (taken as −∞).
      const keys = Float64Array.from({ length: count }, () => (next() < 0.05 ? Number.NaN : Math.floor(next() * 8)));
      const without = count > 0 && next() < 0.5 ? Math.floor(next() * count) : -1;
      const heap = new BoundHeap(keys, without);
      const model = new Map<number, number>();
      for (let i = 0; i < count; i++) if (i !== without) model.set(i, Number.isNaN(keys[i]) ? -Infinity : (keys[i] as number));
      expect(heap.size).toBe(model.size);
      while (model.size > 0) {
        const expected = [...model].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
        expect(heap.top(), `seed ${seed}`).toBe(expected);
        if (next() < 0.5) {
          const key = next() < 0.1 ? Number.NaN : (model.get(expected) as number) - Math.floor(next() * 3);
          heap.rekeyTop(key);
          model.set(expected, Number.isNaN(key) ? -Infinity : key);
        } else {
          heap.pop();
          model.delete(expected);
        }
        expect(heap.size).toBe(model.size);
      }
      expect(() => heap.top()).toThrow(/empty/);
    }
  });
});
