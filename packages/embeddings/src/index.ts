export { EmptyTextError, type Encoder } from './encoder.js';
export { decodeVectorBase64, encodeVectorBase64 } from './vector-base64.js';
export { itemEmbeddingText, type ItemTextFields } from './item-text.js';
export { hashedTextVector } from './hashed-text-vector.js';
export type { WordVectorLoadInfo } from './load-word-vectors.js';
export {
  loadWordVectorEncoder,
  WORD_VECTOR_ENCODER_ID,
  type WordVectorEncoder,
  type WordVectorEncoderOptions,
} from './word-vector-encoder.js';
export { withEmbeddingCache, type EmbeddingCacheStore } from './embedding-cache.js';
export { withMicroBatching, type MicroBatchOptions } from './micro-batcher.js';
export { loadT5Encoder, type T5Encoder, type T5EncoderOptions, type T5EncoderSource } from './t5/t5-encoder.js';
export { readT5Config, type FeedForwardProj, type T5Config } from './t5/t5-config.js';
export { readProjection, type LinearProjection } from './t5/projection.js';
export { ChecksumMismatchError, downloadModelFromS3, parseS3Url, type S3DownloadInfo, type S3ModelSource } from './t5/s3-source.js';
export { MANIFEST_FILE, readManifest, sha256Hex, writeEncoderManifest, type EncoderManifest } from './t5/manifest.js';
export { ENCODER_REGISTRY, loadEncoder, resolveEncoderSpec, type EncoderSpec, type LoadEncoderOptions, type T5FixtureSize } from './t5/registry.js';
