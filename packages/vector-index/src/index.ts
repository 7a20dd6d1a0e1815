export { createVectorIndex, type VectorIndexOptions } from './create-vector-index.js';
export { InvalidVectorIdError, InvalidVectorValueError, VectorDimensionError, VectorInputError } from './errors.js';
export { FlatIndex } from './flat-index.js';
export type { SearchHit, SearchOptions, VectorIndex } from './vector-index.js';
