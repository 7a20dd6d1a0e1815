import { FaissVectorIndex } from './faiss-vector-index.js';
import type { FaissVectorIndexOptions } from './faiss-vector-index-options.js';
import type { VectorIndex } from './vector-index.js';

/** `flat` is exact search; `faiss` takes any factory string (HNSW32, IVF1024,Flat, …). */
export type VectorIndexOptions = { kind: 'flat'; dimension: number } | ({ kind: 'faiss' } & FaissVectorIndexOptions);

export function createVectorIndex(options: VectorIndexOptions): VectorIndex {
  switch (options.kind) {
    case 'flat':
      return new FaissVectorIndex({ dimension: options.dimension, factory: 'Flat' });
    case 'faiss':
      return new FaissVectorIndex(options);
    default:
      throw new Error(`unknown vector index kind: ${JSON.stringify((options as { kind: unknown }).kind)}`);
  }
}

/** Restores a snapshot written by VectorIndex.serialize; throws IndexSnapshotError if invalid. */
export function deserializeVectorIndex(bytes: Buffer): VectorIndex {
  return FaissVectorIndex.deserialize(bytes);
}
