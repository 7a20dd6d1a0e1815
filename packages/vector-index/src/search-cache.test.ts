import { describe, expect, it } from 'vitest';
// Seeded so a failing sequence of operations can be replayed.
import { mulberry32 } from '@coldstart/runtime';
import { FaissVectorIndex, type SearchQuery } from './index.js';

/**
 * The kept answers must never change an answer: an index that keeps them and one that keeps none
 * (itself checked against brute force in faiss-vector-index.property.test.ts) are driven through
 * the same writes and asked the same questions, which repeat as a recommend pool's do.
 */
describe('FaissVectorIndex search cache', () => {
  it('answers exactly as an index without one, through writes, exclusions and bursts of writes', () => {
    const random = mulberry32(20_261_207);
    const dimension = 8;
    const cached = new FaissVectorIndex({ dimension, searchCache: 2_048 });
    const plain = new FaissVectorIndex({ dimension });
    const ids = Array.from({ length: 400 }, (_, i) => `id-${i}`);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const randomVector = () => Float32Array.from({ length: dimension }, () => random() * 2 - 1);
    // The questions asked again and again; items are sometimes written with one of them as their
    // vector, so answers hold exact ties that only the id order settles.
    const questions = Array.from({ length: 15 }, randomVector);
    const write = () => {
      const id = pick(ids);
      if (random() < 0.25) {
        expect(cached.remove(id)).toBe(plain.remove(id));
        return;
      }
      const vector = random() < 0.2 ? pick(questions) : randomVector();
      cached.upsert(id, vector);
      plain.upsert(id, vector);
    };
    const query = (): SearchQuery => {
      const vector = random() < 0.9 ? pick(questions) : randomVector();
      const k = Math.floor(random() * 50);
      const exclude = new Set<string>();
      const roll = random();
      // Some exclusions fall among the best hits, beyond the room the cache keeps for them.
      if (roll < 0.3) for (const hit of plain.search(vector, Math.floor(random() * 60), {})) exclude.add(hit.id);
      else if (roll < 0.7) for (let i = Math.floor(random() * 20); i > 0; i--) exclude.add(pick(ids));
      return { vector, k, exclude };
    };

    for (let i = 0; i < 200; i++) write();
    for (let step = 0; step < 2_500; step++) {
      const roll = random();
      if (roll < 0.4) write();
      else if (roll < 0.41) for (let i = 70 + Math.floor(random() * 60); i > 0; i--) write();
      else {
        const queries = Array.from({ length: 1 + Math.floor(random() * 4) }, query);
        // As JSON: a deep comparison of every hit object cost more than the searches.
        expect(JSON.stringify(cached.searchMany(queries)), `step ${step}`).toBe(JSON.stringify(plain.searchMany(queries)));
      }
    }

    // Guards against a generator change that quietly stops exercising a path of the cache.
    const stats = cached.searchCacheStats;
    expect(plain.searchCacheStats).toBeUndefined();
    expect(stats?.answered).toBeGreaterThan(2_000);
    expect(stats?.caughtUp).toBeGreaterThan(1_000);
    expect(stats?.dropped).toBeGreaterThan(20);
    expect(stats?.short).toBeGreaterThan(100);
    expect(stats?.missed).toBeGreaterThan(100);
  }, 60_000);

  it('answers with every live vector while the index holds fewer than were asked for, and after it grows', () => {
    const index = new FaissVectorIndex({ dimension: 2, searchCache: 16 });
    index.upsert('a', Float32Array.of(1, 0));
    index.upsert('b', Float32Array.of(0, 1));
    const question = Float32Array.of(1, 0.1);
    expect(index.search(question, 10).map((hit) => hit.id)).toEqual(['a', 'b']);
    index.upsert('c', Float32Array.of(1, 0.2));
    index.remove('a');
    expect(index.search(question, 10).map((hit) => hit.id)).toEqual(['c', 'b']);
    expect(index.search(question, 10, { exclude: new Set(['c']) }).map((hit) => hit.id)).toEqual(['b']);
    expect(index.searchCacheStats).toMatchObject({ missed: 1, caughtUp: 1, answered: 2 });
  });

  it('keeps none unless asked, nor for an approximate index, and can be asked after a snapshot restores one', () => {
    expect(new FaissVectorIndex({ dimension: 4 }).searchCacheStats).toBeUndefined();
    expect(new FaissVectorIndex({ dimension: 4, factory: 'HNSW32', searchCache: 16 }).searchCacheStats).toBeUndefined();
    expect(() => new FaissVectorIndex({ dimension: 4, searchCache: -1 })).toThrow(/searchCache must be a non-negative integer/);
    const restored = FaissVectorIndex.deserialize(new FaissVectorIndex({ dimension: 4, searchCache: 16 }).serialize());
    expect(restored.searchCacheStats).toBeUndefined();
    restored.keepSearchAnswers(16);
    expect(restored.searchCacheStats).toMatchObject({ missed: 0, answered: 0 });
  });
});
