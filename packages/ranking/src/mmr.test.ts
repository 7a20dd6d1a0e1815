import { describe, expect, it } from 'vitest';
import { mmrRerank } from './mmr.js';
import { unitCosine } from './unit-cosine.js';

/** The eager MMR this package used before the lazy one: every candidate compared with every pick. */
function eagerMmr<T extends { itemId: string; score: number }>(candidates: readonly T[], topN: number, lambda: number, similarity: (a: string, b: string) => number | undefined): T[] {
  const scores = candidates.map((c) => c.score);
  const max = Math.max(...scores);
  const min = Math.min(...scores);
  const span = max - min || 1;
  const remaining = [...candidates];
  const redundancy = remaining.map(() => -Infinity);
  const picked: T[] = [];
  while (picked.length < topN && remaining.length > 0) {
    let bestIndex = 0;
    let bestValue = -Infinity;
    remaining.forEach((candidate, i) => {
      const penalty = picked.length === 0 ? 0 : (redundancy[i] ?? 0);
      const value = lambda * ((candidate.score - min) / span) - (1 - lambda) * penalty;
      if (value > bestValue) {
        bestValue = value;
        bestIndex = i;
      }
    });
    const [chosen] = remaining.splice(bestIndex, 1);
    redundancy.splice(bestIndex, 1);
    if (!chosen) break;
    picked.push(chosen);
    remaining.forEach((candidate, i) => {
      redundancy[i] = Math.max(redundancy[i] ?? -Infinity, similarity(candidate.itemId, chosen.itemId) ?? 0);
    });
  }
  return picked;
}

/** A deterministic stream in [0, 1): the fractional part of a scaled sine. */
const noise = (i: number) => {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x);
};

function randomCase(seed: number) {
  let draw = seed * 10_007;
  const next = () => noise(draw++);
  const count = Math.floor(next() * 300);
  const dim = 2 + Math.floor(next() * 8);
  const vectors = new Map<string, number[]>();
  const candidates = Array.from({ length: count }, (_, i) => {
    const raw = Array.from({ length: dim }, () => next() - 0.5);
    const norm = Math.hypot(...raw) || 1;
    vectors.set(`item-${i}`, raw.map((v) => v / norm));
    // Two decimals: plenty of tied scores, which must be broken the same way.
    return { itemId: `item-${i}`, score: Math.round(next() * 100) / 100 };
  });
  // Half the cases in score order (as fuseScores returns them), half shuffled.
  if (seed % 2 === 0) candidates.sort((a, b) => b.score - a.score);
  const missing = next() < 0.3 ? new Set(candidates.filter(() => next() < 0.1).map((c) => c.itemId)) : new Set<string>();
  const similarity = (a: string, b: string) => {
    if (missing.has(a) || missing.has(b)) return undefined;
    const x = vectors.get(a) as number[];
    const y = vectors.get(b) as number[];
    return x.reduce((sum, v, i) => sum + v * (y[i] as number), 0);
  };
  const lambdas = [0, 0.3, 0.7, 0.95];
  return { candidates, similarity, vectors, missing, topN: 1 + Math.floor(next() * 25), lambda: lambdas[seed % lambdas.length] as number };
}

describe('mmrRerank (lazy)', () => {
  it('picks exactly what the eager MMR picks, ties and missing similarities included, over 400 random cases', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { candidates, similarity, topN, lambda } = randomCase(seed);
      const lazy = mmrRerank(candidates, topN, lambda, similarity).map((c) => c.itemId);
      expect(lazy, `case ${seed}`).toEqual(eagerMmr(candidates, topN, lambda, similarity).map((c) => c.itemId));
    }
  });

  it('given unit vectors, picks what their cosines pick, looking each vector up at most once', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { candidates, vectors, missing, topN, lambda } = randomCase(seed);
      const stored = new Map([...vectors].filter(([id]) => !missing.has(id)).map(([id, v]) => [id, Float32Array.from(v)]));
      const lookups = new Map<string, number>();
      const unitVector = (id: string) => {
        lookups.set(id, (lookups.get(id) ?? 0) + 1);
        return stored.get(id);
      };
      const byVectors = mmrRerank(candidates, topN, lambda, { unitVector }).map((c) => c.itemId);
      const byIds = mmrRerank(candidates, topN, lambda, (a, b) => unitCosine(stored.get(a), stored.get(b))).map((c) => c.itemId);
      expect(byVectors, `case ${seed}`).toEqual(byIds);
      expect(Math.max(0, ...lookups.values()), `case ${seed}`).toBeLessThanOrEqual(1);
    }
  });

  it('given unit vectors as rows of one array, picks what their cosines pick, looking each row up at most once', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { candidates, vectors, missing, topN, lambda } = randomCase(seed);
      const dimension = vectors.values().next().value?.length ?? 1;
      // Rows in another order than the candidates', with a row of noise first.
      const ids = [...vectors.keys()].filter((id) => !missing.has(id)).reverse();
      const data = new Float32Array((ids.length + 1) * dimension).fill(0.5);
      ids.forEach((id, r) => data.set(vectors.get(id) as number[], (r + 1) * dimension));
      const lookups = new Map<string, number>();
      const rowOf = (id: string) => {
        lookups.set(id, (lookups.get(id) ?? 0) + 1);
        const row = ids.indexOf(id);
        return row < 0 ? undefined : row + 1;
      };
      const byRows = mmrRerank(candidates, topN, lambda, { unitRows: { data, dimension, rowOf } }).map((c) => c.itemId);
      const stored = new Map(ids.map((id) => [id, Float32Array.from(vectors.get(id) as number[])]));
      const byIds = mmrRerank(candidates, topN, lambda, (a, b) => unitCosine(stored.get(a), stored.get(b))).map((c) => c.itemId);
      expect(byRows, `case ${seed}`).toEqual(byIds);
      expect(Math.max(0, ...lookups.values()), `case ${seed}`).toBeLessThanOrEqual(1);
    }
  });

  it('compares far fewer pairs than every candidate with every pick', () => {
    const { candidates, similarity } = randomCase(4);
    const sorted = [...candidates, ...candidates.map((c) => ({ ...c, itemId: `${c.itemId}-copy` }))].sort((a, b) => b.score - a.score);
    let calls = 0;
    const counted = (a: string, b: string) => {
      calls++;
      return similarity(a.replace('-copy', ''), b.replace('-copy', ''));
    };
    const picked = mmrRerank(sorted, 20, 0.7, counted);
    expect(picked).toHaveLength(20);
    const eagerCalls = 19 * sorted.length - (19 * 20) / 2;
    expect(calls).toBeLessThan(eagerCalls / 2);
  });
});

describe('mmrRerank', () => {
  const candidates = [
    { itemId: 'a1', score: 1 },
    { itemId: 'a2', score: 0.95 },
    { itemId: 'b1', score: 0.8 },
  ];
  const sameFamily = (x: string, y: string) => (x[0] === y[0] ? 1 : 0);

  it('keeps the score order at λ = 1 or without a similarity', () => {
    expect(mmrRerank(candidates, 3, 1, sameFamily).map((c) => c.itemId)).toEqual(['a1', 'a2', 'b1']);
    expect(mmrRerank(candidates, 2, 0.5).map((c) => c.itemId)).toEqual(['a1', 'a2']);
  });

  it('lifts an item unlike those already picked when λ < 1', () => {
    expect(mmrRerank(candidates, 3, 0.5, sameFamily).map((c) => c.itemId)).toEqual(['a1', 'b1', 'a2']);
  });
});
