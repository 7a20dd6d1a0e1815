import { FlatIndex } from './flat-index.js';
import type { VectorIndex } from './vector-index.js';

/** A union so that approximate kinds (IVF, HNSW) can be added without changing callers. */
export type VectorIndexOptions = { kind: 'flat'; dimension: number };

export function createVectorIndex(options: VectorIndexOptions): VectorIndex {
  switch (options.kind) {
    case 'flat':
      return new FlatIndex(options.dimension);
    default:
      throw new Error(`unknown vector index kind: ${JSON.stringify((options as { kind: unknown }).kind)}`);
  }
}
