import { describe, expect, it } from 'vitest';
import { fitRidge, predictRidge } from './ridge.js';

describe('fitRidge', () => {
  it('recovers a linear map from sparse targets, with an intercept, and shrinks it as the penalty grows', () => {
    // y0 = 2·x0 − x1 + 1, y1 = 3·x1 (as [output, value] pairs; zeros left out).
    const xs = [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
      [2, 1],
      [1, 3],
    ];
    const rows = xs.map(([a, b]) => ({
      x: Float32Array.from([a as number, b as number]),
      y: [[0, 2 * (a as number) - (b as number) + 1] as const, [1, 3 * (b as number)] as const].filter(([, v]) => v !== 0),
    }));
    const exact = fitRidge({ dimension: 2, outputs: 2, rows, ridge: 1e-9 });
    const [y0, y1] = predictRidge(exact, Float32Array.from([3, 2]));
    expect(y0).toBeCloseTo(5, 4);
    expect(y1).toBeCloseTo(6, 4);
    const shrunk = fitRidge({ dimension: 2, outputs: 2, rows, ridge: 10 });
    const [s0] = predictRidge(shrunk, Float32Array.from([3, 2]));
    // Towards the mean target (the intercept), away from the exact answer.
    const meanY0 = rows.reduce((sum, row) => sum + (row.y.find(([j]) => j === 0)?.[1] ?? 0), 0) / rows.length;
    expect(Math.abs((s0 as number) - meanY0)).toBeLessThan(Math.abs(5 - meanY0));
  });

  it('is deterministic: the same rows give the same weights', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ x: Float32Array.from([Math.sin(i), Math.cos(i), i / 30]), y: [[i % 3, 1] as const] }));
    const a = fitRidge({ dimension: 3, outputs: 3, rows, ridge: 0.1 });
    const b = fitRidge({ dimension: 3, outputs: 3, rows, ridge: 0.1 });
    expect([...a.weights]).toEqual([...b.weights]);
  });

  it('refuses an empty problem', () => {
    expect(() => fitRidge({ dimension: 2, outputs: 1, rows: [], ridge: 1 })).toThrow(/at least one row/);
  });
});
