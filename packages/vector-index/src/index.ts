export { createVectorIndex, deserializeVectorIndex, type VectorIndexOptions } from './create-vector-index.js';
export { IndexSnapshotError, InvalidVectorIdError, InvalidVectorValueError, VectorDimensionError, VectorInputError } from './errors.js';
export { FaissVectorIndex } from './faiss-vector-index.js';
export type { FaissVectorIndexOptions } from './faiss-vector-index-options.js';
export type { SearchHit, SearchOptions, SearchQuery, StoredRows, VectorIndex } from './vector-index.js';
