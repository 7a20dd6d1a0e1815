export { EmptyTextError, type Encoder } from './encoder.js';
export { decodeVectorBase64, encodeVectorBase64 } from './vector-base64.js';
export type { WordVectorLoadInfo } from './load-word-vectors.js';
export {
  loadWordVectorEncoder,
  WORD_VECTOR_ENCODER_ID,
  type WordVectorEncoder,
  type WordVectorEncoderOptions,
} from './word-vector-encoder.js';
export { withEmbeddingCache, type EmbeddingCacheStore } from './embedding-cache.js';
export { withMicroBatching, type MicroBatchOptions } from './micro-batcher.js';
