import { describe, expect, it } from 'vitest';
import type { Encoder } from './encoder.js';
import { withEmbeddingCache, type EmbeddingCacheStore } from './embedding-cache.js';

function memoryCache(): EmbeddingCacheStore & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    getMany: async (id, texts) => texts.map((t) => entries.get(`${id}\u0000${t}`)),
    setMany: async (id, pairs) => {
      for (const [t, v] of pairs) entries.set(`${id}\u0000${t}`, v);
    },
  };
}

describe('withEmbeddingCache', () => {
  it('encodes only texts it has not seen, and answers the rest from the cache in order', async () => {
    const calls: string[][] = [];
    const encoder: Encoder = { id: 'e', dimension: 2, encode: async (texts) => (calls.push([...texts]), texts.map((t) => new Float32Array([t.length, 1]))) };
    const cache = memoryCache();
    const cached = withEmbeddingCache(encoder, cache);
    await cached.encode(['aa', 'b']);
    const again = await cached.encode(['b', 'ccc', 'aa']);
    expect(calls).toEqual([['aa', 'b'], ['ccc']]);
    expect(again.map((v) => [...v])).toEqual([[1, 1], [3, 1], [2, 1]]);
  });

  it('keeps working when the cache fails', async () => {
    const encoder: Encoder = { id: 'e', dimension: 1, encode: async (texts) => texts.map(() => new Float32Array([1])) };
    const errors: unknown[] = [];
    const broken: EmbeddingCacheStore = { getMany: async () => Promise.reject(new Error('down')), setMany: async () => Promise.reject(new Error('down')) };
    const result = await withEmbeddingCache(encoder, broken, (e) => errors.push(e)).encode(['x']);
    expect([...result[0]!]).toEqual([1]);
    expect(errors).toHaveLength(2);
  });
});
