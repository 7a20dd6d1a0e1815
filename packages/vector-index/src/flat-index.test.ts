import { describe, expect, it } from 'vitest';
import {
  createVectorIndex,
  FlatIndex,
  InvalidVectorIdError,
  InvalidVectorValueError,
  type SearchHit,
  VectorDimensionError,
  VectorInputError,
} from './index.js';

const v = (...values: number[]): Float32Array => new Float32Array(values);

/** Deterministic so a failing sequence of operations can be replayed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomVector(random: () => number, dimension: number): Float32Array {
  return Float32Array.from({ length: dimension }, () => random() * 2 - 1);
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('FlatIndex', () => {
  it('scores by cosine similarity, best first', () => {
    const index = new FlatIndex(2);
    index.upsert('east', v(3, 0));
    index.upsert('north', v(0, 0.5));
    index.upsert('north-east', v(1, 1));
    const hits = index.search(v(2, 0.1), 3);
    expect(hits.map((hit) => hit.id)).toEqual(['east', 'north-east', 'north']);
    expect(hits[0]?.score).toBeCloseTo(2 / Math.hypot(2, 0.1), 5);
    expect(hits[1]?.score).toBeCloseTo(2.1 / (Math.hypot(2, 0.1) * Math.SQRT2), 5);
  });

  it('replaces the vector of an existing id on upsert', () => {
    const index = new FlatIndex(2);
    index.upsert('a', v(1, 0));
    index.upsert('b', v(0, 1));
    index.upsert('a', v(-1, 0));
    expect(index.size).toBe(2);
    expect(index.has('a')).toBe(true);
    const hits = index.search(v(-1, 0), 2);
    expect(hits[0]).toEqual({ id: 'a', score: expect.closeTo(1, 5) });
    // The old vector must be gone, not merely outranked.
    expect(index.search(v(1, 0), 2).map((hit) => hit.score)).toEqual([expect.closeTo(0, 5), expect.closeTo(-1, 5)]);
  });

  it('keeps every remaining id on its own vector after removals from the middle', () => {
    const random = mulberry32(7);
    const index = new FlatIndex(16);
    const vectors = new Map<string, Float32Array>();
    for (let i = 0; i < 20; i++) {
      const vector = randomVector(random, 16);
      vectors.set(`item-${i}`, vector);
      index.upsert(`item-${i}`, vector);
    }
    // Neighbours first: removing item-6 right after item-5 only works if item-6's label was
    // shifted down by the first removal.
    const removed = ['item-5', 'item-6', 'item-0', 'item-19', 'item-12'];
    for (const id of removed) {
      expect(index.remove(id)).toBe(true);
      vectors.delete(id);
    }
    expect(index.size).toBe(15);
    for (const id of removed) expect(index.has(id)).toBe(false);
    for (const [id, vector] of vectors) {
      const [best] = index.search(vector, 1);
      expect(best?.id).toBe(id);
      expect(best?.score).toBeCloseTo(1, 5);
    }
  });

  it('returns false when removing an absent id, and forgets removed ids', () => {
    const index = new FlatIndex(2);
    index.upsert('a', v(1, 0));
    expect(index.remove('missing')).toBe(false);
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    expect(index.has('a')).toBe(false);
    expect(index.size).toBe(0);
  });

  it('clamps k to the number of live vectors, and returns nothing for an empty index or k = 0', () => {
    const index = new FlatIndex(2);
    expect(index.search(v(1, 0), 5)).toEqual([]);
    index.upsert('a', v(1, 0));
    index.upsert('b', v(0, 1));
    expect(index.search(v(1, 0), 10).map((hit) => hit.id)).toEqual(['a', 'b']);
    // faiss aborts the process on k = 0, so this must never reach it.
    expect(index.search(v(1, 0), 0)).toEqual([]);
  });

  it('rejects a negative or fractional k', () => {
    const index = new FlatIndex(2);
    expect(() => index.search(v(1, 0), -1)).toThrow(RangeError);
    expect(() => index.search(v(1, 0), 1.5)).toThrow(RangeError);
  });

  it('leaves out excluded ids and still fills k from the rest', () => {
    const index = new FlatIndex(2);
    const angles = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
    angles.forEach((angle, i) => index.upsert(`n${i}`, v(Math.cos(angle), Math.sin(angle))));
    const exclude = new Set(['n0', 'n1', 'absent']);
    expect(index.search(v(1, 0), 3, { exclude }).map((hit) => hit.id)).toEqual(['n2', 'n3', 'n4']);
    // Only four live ids are not excluded, so that is all that can come back.
    expect(index.search(v(1, 0), 10, { exclude }).map((hit) => hit.id)).toEqual(['n2', 'n3', 'n4', 'n5']);
    expect(index.search(v(1, 0), 3, { exclude: new Set(['n0', 'n1', 'n2', 'n3', 'n4', 'n5']) })).toEqual([]);
  });

  it('rejects vectors of the wrong dimension, naming the id and both dimensions', () => {
    const index = new FlatIndex(3);
    const error = caught(() => index.upsert('book-42', v(1, 2)));
    expect(error).toBeInstanceOf(VectorDimensionError);
    expect(error).toBeInstanceOf(VectorInputError);
    expect(error).toMatchObject({ id: 'book-42', expected: 3, actual: 2 });
    expect((error as Error).message).toBe('vector for id "book-42" has dimension 2, expected 3');
    expect(() => index.search(v(1, 2, 3, 4), 1)).toThrow('query vector has dimension 4, expected 3');
  });

  it('rejects non-finite and all-zero vectors, and empty ids, without changing the index', () => {
    const index = new FlatIndex(2);
    index.upsert('a', v(1, 0));
    expect(() => index.upsert('a', v(Number.NaN, 1))).toThrow(InvalidVectorValueError);
    expect(() => index.upsert('a', v(1, Number.POSITIVE_INFINITY))).toThrow(/"a" has a non-finite value \(Infinity\) at position 1/);
    expect(() => index.upsert('a', v(0, 0))).toThrow(/all zeros/);
    expect(() => index.upsert('', v(1, 0))).toThrow(InvalidVectorIdError);
    expect(() => index.search(v(Number.NaN, 0), 1)).toThrow(/query vector has a non-finite value/);
    expect(index.size).toBe(1);
    expect(index.search(v(1, 0), 1)).toEqual([{ id: 'a', score: expect.closeTo(1, 5) }]);
  });

  it('rejects a dimension that is not a positive integer', () => {
    expect(() => new FlatIndex(0)).toThrow(RangeError);
    expect(() => new FlatIndex(2.5)).toThrow(RangeError);
  });
});

describe('createVectorIndex', () => {
  it('creates a flat index of the given dimension', () => {
    const index = createVectorIndex({ kind: 'flat', dimension: 4 });
    expect(index).toBeInstanceOf(FlatIndex);
    expect(index.dimension).toBe(4);
    expect(index.size).toBe(0);
  });
});

describe('FlatIndex against a brute-force reference', () => {
  const dimension = 8;
  const operations = 2_000;
  // Random continuous vectors make exact ties practically impossible, but two scores can
  // still land within float32 rounding of each other; only then may the order differ.
  const tolerance = 1e-5;

  function cosine(a: Float32Array, b: Float32Array): number {
    let dot = 0;
    let normA = 0;
    let normB = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i] as number;
      const y = b[i] as number;
      dot += x * y;
      normA += x * x;
      normB += y * y;
    }
    return dot / Math.sqrt(normA * normB);
  }

  function referenceSearch(
    vectors: ReadonlyMap<string, Float32Array>,
    query: Float32Array,
    k: number,
    exclude: ReadonlySet<string>,
  ): SearchHit[] {
    return [...vectors]
      .filter(([id]) => !exclude.has(id))
      .map(([id, vector]) => ({ id, score: cosine(query, vector) }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, k);
  }

  it(`agrees over ${operations} random upserts, removals and searches`, () => {
    const random = mulberry32(20_240_601);
    const index = new FlatIndex(dimension);
    const reference = new Map<string, Float32Array>();
    // A small id pool so that replacements and removals of live ids are frequent.
    const idPool = Array.from({ length: 80 }, (_, i) => `id-${i}`);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const counts = { upsert: 0, replace: 0, remove: 0, removeAbsent: 0, search: 0, exactOrder: 0 };

    for (let step = 0; step < operations; step++) {
      const roll = random();
      if (roll < 0.45) {
        const id = pick(idPool);
        const vector = randomVector(random, dimension);
        counts[reference.has(id) ? 'replace' : 'upsert']++;
        index.upsert(id, vector);
        reference.set(id, vector);
      } else if (roll < 0.7) {
        const id = pick(idPool);
        const expected = reference.delete(id);
        counts[expected ? 'remove' : 'removeAbsent']++;
        expect(index.remove(id), `step ${step}: remove ${id}`).toBe(expected);
      } else {
        counts.search++;
        const query = randomVector(random, dimension);
        const k = Math.floor(random() * 12);
        const exclude = new Set<string>();
        if (random() < 0.5) {
          const excludeCount = Math.floor(random() * 10);
          for (let i = 0; i < excludeCount; i++) exclude.add(pick(idPool));
        }
        const actual = index.search(query, k, { exclude });
        const expected = referenceSearch(reference, query, k, exclude);
        const context = `step ${step}: k=${k}, size=${reference.size}, excluded=${exclude.size}`;

        expect(actual.length, context).toBe(expected.length);
        expect(new Set(actual.map((hit) => hit.id)).size, context).toBe(actual.length);
        actual.forEach((hit, rank) => {
          expect(exclude.has(hit.id), context).toBe(false);
          // The score must belong to the id it is reported with: this is what catches a
          // label map that has drifted after removals.
          const vector = reference.get(hit.id);
          expect(vector, context).toBeDefined();
          expect(Math.abs(hit.score - cosine(query, vector as Float32Array)), context).toBeLessThan(tolerance);
          expect(Math.abs(hit.score - (expected[rank] as SearchHit).score), context).toBeLessThan(tolerance);
        });

        const all = referenceSearch(reference, query, reference.size, exclude);
        const cut = Math.min(all.length, expected.length + 1);
        let nearTie = false;
        for (let i = 1; i < cut; i++) {
          if ((all[i - 1] as SearchHit).score - (all[i] as SearchHit).score < tolerance) nearTie = true;
        }
        if (!nearTie) {
          counts.exactOrder++;
          expect(actual.map((hit) => hit.id), context).toEqual(expected.map((hit) => hit.id));
        }
      }
      expect(index.size, `step ${step}`).toBe(reference.size);
    }

    for (const id of idPool) expect(index.has(id)).toBe(reference.has(id));
    // Guards against a generator change that quietly stops exercising some operation.
    expect(counts.replace).toBeGreaterThan(100);
    expect(counts.remove).toBeGreaterThan(100);
    expect(counts.search).toBeGreaterThan(400);
    expect(counts.exactOrder).toBeGreaterThan(counts.search * 0.9);
  });
});
