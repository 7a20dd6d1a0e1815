import { InvalidVectorValueError, VectorDimensionError } from './errors.js';

/**
 * Validates and L2-normalises into float32, the precision FAISS stores, so the index's own copy
 * and FAISS's hold the same numbers. Validation happens here rather than in faiss because
 * faiss-node reports a wrong length only as "Invalid the given array length." and silently
 * accepts NaN, which then poisons every search that touches the vector.
 */
export function normalizeVector(id: string | undefined, vector: Float32Array, dimension: number): Float32Array {
  if (vector.length !== dimension) throw new VectorDimensionError(id, dimension, vector.length);
  let squaredNorm = 0;
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i] as number;
    if (!Number.isFinite(value)) {
      throw new InvalidVectorValueError(id, `has a non-finite value (${value}) at position ${i}`);
    }
    squaredNorm += value * value;
  }
  const norm = Math.sqrt(squaredNorm);
  // Squaring float32 values in float64 can neither overflow nor underflow to zero, so the
  // only degenerate norm is that of an all-zero vector.
  if (norm === 0) {
    throw new InvalidVectorValueError(id, 'is all zeros, so it has no direction to compare by cosine');
  }
  return Float32Array.from(vector, (value) => value / norm);
}
