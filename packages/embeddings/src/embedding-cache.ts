import type { Encoder } from './encoder.js';
import { decodeVectorBase64, encodeVectorBase64 } from './vector-base64.js';

/** Where vectors are kept by (encoder id, text); values are base64 float32 vectors. */
export interface EmbeddingCacheStore {
  getMany(encoderId: string, texts: readonly string[]): Promise<(string | undefined)[]>;
  setMany(encoderId: string, entries: readonly (readonly [text: string, vector: string])[]): Promise<void>;
}

/**
 * Answers texts already embedded by this encoder from the cache and encodes only the rest.
 * Many users share topics ("history", "memoir"), so most topic embeddings are hits. A cache
 * that fails is bypassed: it only saves work, it never decides a result.
 */
export function withEmbeddingCache(encoder: Encoder, cache: EmbeddingCacheStore, onError?: (error: unknown) => void): Encoder {
  return {
    id: encoder.id,
    dimension: encoder.dimension,
    encode: async (texts, signal) => {
      const cached = await cache.getMany(encoder.id, texts).catch((error: unknown) => {
        onError?.(error);
        return texts.map(() => undefined);
      });
      const vectors: (Float32Array | undefined)[] = cached.map((value) => (value ? decodeVectorBase64(value, encoder.dimension) : undefined));
      const missing = texts.flatMap((text, i) => (vectors[i] ? [] : [{ text, i }]));
      if (missing.length > 0) {
        const fresh = await encoder.encode(missing.map((m) => m.text), signal);
        missing.forEach(({ i }, j) => (vectors[i] = fresh[j]));
        await cache
          .setMany(encoder.id, missing.map(({ text }, j) => [text, encodeVectorBase64(fresh[j] as Float32Array)] as const))
          .catch((error: unknown) => onError?.(error));
      }
      return vectors as Float32Array[];
    },
  };
}
