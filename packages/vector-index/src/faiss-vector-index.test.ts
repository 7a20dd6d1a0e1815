import { describe, expect, it } from 'vitest';
// Seeded so a failing sequence of operations can be replayed.
import { mulberry32 } from '@coldstart/runtime';
import {
  createVectorIndex,
  deserializeVectorIndex,
  IndexSnapshotError,
  FaissVectorIndex,
  InvalidVectorIdError,
  InvalidVectorValueError,
  VectorDimensionError,
  VectorInputError,
} from './index.js';

const v = (...values: number[]): Float32Array => new Float32Array(values);

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

const flat = (dimension: number) => new FaissVectorIndex({ dimension });

describe('FaissVectorIndex (Flat)', () => {
  it('hands back a stored vector, normalised, as a copy that outlives later writes', () => {
    const index = flat(2);
    index.upsert('a', v(3, 4));
    index.upsert('b', v(1, 0));
    const a = index.vector('a');
    expect(Array.from(a ?? [])).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    index.remove('b');
    index.upsert('a', v(0, 2));
    expect(Array.from(a ?? [])).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(index.vector('a') ?? [])).toEqual([0, 1]);
    expect(index.vector('b')).toBeUndefined();
  });

  it('lends a stored vector without copying it, the same values as the copy until the next write', () => {
    const index = flat(2);
    index.upsert('a', v(3, 4));
    const view = index.vectorView('a');
    expect(Array.from(view ?? [])).toEqual(Array.from(index.vector('a') ?? []));
    expect(view?.buffer).not.toBe(index.vector('a')?.buffer);
    expect(index.vectorView('a')?.buffer).toBe(view?.buffer);
    expect(index.vectorView('missing')).toBeUndefined();
  });

  it('lends its stored rows: each id\'s row holds what vectorView gives', () => {
    const index = new FaissVectorIndex({ dimension: 3 });
    index.upsert('a', new Float32Array([1, 0, 0]));
    index.upsert('b', new Float32Array([0, 3, 4]));
    index.upsert('a', new Float32Array([0, 0, 2]));
    const { data, dimension, rowOf } = index.storedRows();
    expect(dimension).toBe(3);
    for (const id of ['a', 'b']) {
      const row = rowOf(id) as number;
      expect([...data.subarray(row * dimension, (row + 1) * dimension)], id).toEqual([...(index.vectorView(id) as Float32Array)]);
    }
    expect(rowOf('missing')).toBeUndefined();
  });

  it('scores by cosine similarity, best first', () => {
    const index = flat(2);
    index.upsert('east', v(3, 0));
    index.upsert('north', v(0, 0.5));
    index.upsert('north-east', v(1, 1));
    const hits = index.search(v(2, 0.1), 3);
    expect(hits.map((hit) => hit.id)).toEqual(['east', 'north-east', 'north']);
    expect(hits[0]?.score).toBeCloseTo(2 / Math.hypot(2, 0.1), 5);
    expect(hits[1]?.score).toBeCloseTo(2.1 / (Math.hypot(2, 0.1) * Math.SQRT2), 5);
  });

  it('replaces the vector of an existing id on upsert', () => {
    const index = flat(2);
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
    const index = flat(16);
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
    const index = flat(2);
    index.upsert('a', v(1, 0));
    expect(index.remove('missing')).toBe(false);
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    expect(index.has('a')).toBe(false);
    expect(index.size).toBe(0);
  });

  it('clamps k to the number of live vectors, and returns nothing for an empty index or k = 0', () => {
    const index = flat(2);
    expect(index.search(v(1, 0), 5)).toEqual([]);
    index.upsert('a', v(1, 0));
    index.upsert('b', v(0, 1));
    expect(index.search(v(1, 0), 10).map((hit) => hit.id)).toEqual(['a', 'b']);
    // faiss aborts the process on k = 0, so this must never reach it.
    expect(index.search(v(1, 0), 0)).toEqual([]);
  });

  it('rejects a negative or fractional k', () => {
    const index = flat(2);
    expect(() => index.search(v(1, 0), -1)).toThrow(RangeError);
    expect(() => index.search(v(1, 0), 1.5)).toThrow(RangeError);
  });

  it('leaves out excluded ids and still fills k from the rest', () => {
    const index = flat(2);
    const angles = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
    angles.forEach((angle, i) => index.upsert(`n${i}`, v(Math.cos(angle), Math.sin(angle))));
    const exclude = new Set(['n0', 'n1', 'absent']);
    expect(index.search(v(1, 0), 3, { exclude }).map((hit) => hit.id)).toEqual(['n2', 'n3', 'n4']);
    // Only four live ids are not excluded, so that is all that can come back.
    expect(index.search(v(1, 0), 10, { exclude }).map((hit) => hit.id)).toEqual(['n2', 'n3', 'n4', 'n5']);
    expect(index.search(v(1, 0), 3, { exclude: new Set(['n0', 'n1', 'n2', 'n3', 'n4', 'n5']) })).toEqual([]);
  });

  it('rejects vectors of the wrong dimension, naming the id and both dimensions', () => {
    const index = flat(3);
    const error = caught(() => index.upsert('book-42', v(1, 2)));
    expect(error).toBeInstanceOf(VectorDimensionError);
    expect(error).toBeInstanceOf(VectorInputError);
    expect(error).toMatchObject({ id: 'book-42', expected: 3, actual: 2 });
    expect((error as Error).message).toBe('vector for id "book-42" has dimension 2, expected 3');
    expect(() => index.search(v(1, 2, 3, 4), 1)).toThrow('query vector has dimension 4, expected 3');
  });

  it('rejects non-finite and all-zero vectors, and empty ids, without changing the index', () => {
    const index = flat(2);
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
    expect(() => flat(0)).toThrow(RangeError);
    expect(() => flat(2.5)).toThrow(RangeError);
  });
});

describe('createVectorIndex', () => {
  it('creates a flat index of the given dimension', () => {
    const index = createVectorIndex({ kind: 'flat', dimension: 4 });
    expect(index).toBeInstanceOf(FaissVectorIndex);
    expect(index.dimension).toBe(4);
    expect(index.size).toBe(0);
  });
});

describe('FaissVectorIndex over other factory strings', () => {
  const random = mulberry32(11);
  const vectors = Array.from({ length: 400 }, () => randomVector(random, 8));

  it('rejects factory strings FAISS cannot parse, and IDMap, which faiss-node cannot feed', () => {
    expect(() => new FaissVectorIndex({ dimension: 8, factory: 'Bogus' })).toThrow(/invalid FAISS factory string "Bogus"/);
    expect(() => new FaissVectorIndex({ dimension: 8, factory: 'IDMap,Flat' })).toThrow(/IDMap is not supported/);
    expect(() => new FaissVectorIndex({ dimension: 8, factory: 'HNSW32', nprobe: 4 })).toThrow(/IVF indexes only/);
    expect(() => new FaissVectorIndex({ dimension: 8, factory: 'IVF16,Flat', nprobe: 17 })).toThrow(/1\.\.16/);
    expect(() => new FaissVectorIndex({ dimension: 8, factory: 'IVF16,Flat', trainSize: 15 })).toThrow(/trainSize/);
  });

  it('HNSW32 removes by tombstone (faiss-node would abort) and rebuilds without them', async () => {
    const index = new FaissVectorIndex({ dimension: 8, factory: 'HNSW32' });
    vectors.forEach((vector, i) => index.upsert(`v${i}`, vector));
    for (let i = 0; i < 100; i++) expect(index.remove(`v${i}`)).toBe(true);
    expect(index.search(vectors[0] as Float32Array, 5).some((hit) => Number(hit.id.slice(1)) < 100)).toBe(false);
    await index.maintain();
    const [best] = index.search(vectors[200] as Float32Array, 1);
    expect(best).toEqual({ id: 'v200', score: expect.closeTo(1, 5) });
    expect(index.size).toBe(300);
  });

  it('searches an untrained IVF index exactly, then trains it in a child process once enough vectors arrive', async () => {
    const index = new FaissVectorIndex({ dimension: 8, factory: 'IVF4,Flat', trainSize: 200, nprobe: 4 });
    vectors.slice(0, 150).forEach((vector, i) => index.upsert(`v${i}`, vector));
    await index.maintain(); // too few to train: stays a brute-force scan
    expect(index.search(vectors[3] as Float32Array, 1)[0]?.id).toBe('v3');
    vectors.slice(150).forEach((vector, i) => index.upsert(`v${150 + i}`, vector));
    await index.maintain();
    // nprobe = nlist probes every list, so the trained index is exact too.
    const exact = new FaissVectorIndex({ dimension: 8 });
    vectors.forEach((vector, i) => exact.upsert(`v${i}`, vector));
    for (const query of vectors.slice(0, 20)) expect(index.search(query, 10)).toEqual(exact.search(query, 10));
  });

  it('keeps writes made while a rebuild runs', async () => {
    const index = new FaissVectorIndex({ dimension: 8, factory: 'HNSW32' });
    vectors.slice(0, 200).forEach((vector, i) => index.upsert(`v${i}`, vector));
    for (let i = 0; i < 50; i++) index.remove(`v${i}`);
    const rebuilding = index.maintain();
    index.upsert('late', vectors[300] as Float32Array);
    index.remove('v100');
    await rebuilding;
    expect(index.search(vectors[300] as Float32Array, 1)[0]?.id).toBe('late');
    expect(index.has('v100')).toBe(false);
    expect(index.search(vectors[100] as Float32Array, 200).some((hit) => hit.id === 'v100')).toBe(false);
    expect(index.size).toBe(150);
  });
});

describe('searchMany', () => {
  const random = mulberry32(23);
  const vectors = Array.from({ length: 600 }, () => randomVector(random, 8));
  const queries = (exclude: ReadonlySet<string>) => [
    ...vectors.slice(0, 12).map((vector, i) => ({ vector, k: [1, 10, 50, 200][i % 4] as number, ...(i % 3 === 0 ? { exclude } : {}) })),
    // k = 0, and k beyond the index's size.
    { vector: vectors[20] as Float32Array, k: 0 },
    { vector: vectors[21] as Float32Array, k: 10_000, exclude },
  ];

  it.each(['Flat', 'HNSW32', 'IVF4,Flat'])('answers each query of %s exactly as search does, with tombstones, excluded ids and queued rows', async (factory) => {
    const index = new FaissVectorIndex({ dimension: 8, factory, trainSize: 300, ...(factory.startsWith('IVF') ? { nprobe: 4 } : {}) });
    vectors.slice(0, 500).forEach((vector, i) => index.upsert(`v${i}`, vector));
    await index.maintain();
    // Tombstones, and rows written after the last maintenance (queued for FAISS on HNSW and IVF).
    for (let i = 0; i < 500; i += 7) index.remove(`v${i}`);
    vectors.slice(500).forEach((vector, i) => index.upsert(`v${500 + i}`, vector));
    // Most of a query's neighbours excluded: its first fetch comes up short and it carries on alone.
    const exclude = new Set(index.search(vectors[0] as Float32Array, 400).map((hit) => hit.id));
    const asked = queries(exclude);
    const many = index.searchMany(asked);
    expect(many).toHaveLength(asked.length);
    asked.forEach((query, i) => expect(many[i], `query ${i}`).toEqual(index.search(query.vector, query.k, query.exclude ? { exclude: query.exclude } : {})));
    expect(many[0]?.length).toBe(1);
    expect(many.at(-2)).toEqual([]);
  });

  it('answers an empty list with an empty list, and rejects a bad k like search', () => {
    const index = new FaissVectorIndex({ dimension: 8 });
    expect(index.searchMany([])).toEqual([]);
    expect(() => index.searchMany([{ vector: vectors[0] as Float32Array, k: -1 }])).toThrow(RangeError);
  });
});

describe('snapshots', () => {
  const random = mulberry32(5);
  const vectors = Array.from({ length: 300 }, () => randomVector(random, 8));

  it.each(['Flat', 'HNSW32', 'IVF4,Flat'])('%s restores to the same answers, tombstones and queued rows included', async (factory) => {
    const index = new FaissVectorIndex({ dimension: 8, factory, trainSize: 100 });
    vectors.slice(0, 250).forEach((vector, i) => index.upsert(`v${i}`, vector));
    await index.maintain();
    vectors.slice(250).forEach((vector, i) => index.upsert(`v${250 + i}`, vector));
    for (let i = 0; i < 300; i += 7) index.remove(`v${i}`);
    const restored = deserializeVectorIndex(index.serialize());
    expect(restored.size).toBe(index.size);
    for (const query of vectors.slice(0, 30)) expect(restored.search(query, 10)).toEqual(index.search(query, 10));
    await restored.maintain();
    restored.upsert('new', vectors[7] as Float32Array);
    expect(restored.search(vectors[7] as Float32Array, 1)[0]?.id).toBe('new');
  });

  it('restores an index that was never trained', () => {
    const index = new FaissVectorIndex({ dimension: 8, factory: 'IVF4,Flat' });
    index.upsert('a', vectors[0] as Float32Array);
    expect(deserializeVectorIndex(index.serialize()).search(vectors[0] as Float32Array, 1)[0]?.id).toBe('a');
  });

  it('refuses truncated, corrupted and foreign bytes with IndexSnapshotError', () => {
    const index = new FaissVectorIndex({ dimension: 8 });
    vectors.forEach((vector, i) => index.upsert(`v${i}`, vector));
    const bytes = index.serialize();
    const flipped = Buffer.from(bytes);
    flipped[bytes.length >> 1] = (flipped[bytes.length >> 1] as number) ^ 0xff;
    const newer = Buffer.from(bytes);
    newer.writeUInt32LE(2, 4);
    for (const [bad, message] of [
      [bytes.subarray(0, bytes.length - 10), /checksum/],
      [flipped, /checksum/],
      [newer, /format version 2/],
      [Buffer.from('not a snapshot at all'), /magic/],
      [Buffer.alloc(3), /too short/],
    ] as const) {
      expect(() => deserializeVectorIndex(bad)).toThrow(IndexSnapshotError);
      expect(() => deserializeVectorIndex(bad)).toThrow(message);
    }
  });
});
