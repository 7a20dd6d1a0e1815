import { envInteger, envS3Url, parseEnv, PoolEnv, S3Env } from '@coldstart/config';
import { z } from 'zod';

export const EmbedEnv = PoolEnv.extend(S3Env.shape).extend({
  /** A registry id (see packages/embeddings); the word-vector encoder needs no model files. */
  ENCODER: z.string().min(1).default('wink-glove-100d'),
  /** Where T5 model directories live (`<dir>/<encoder id>/`); fixture encoders must be generated there first (tools/t5-fixtures does, for the local stack). */
  COLDSTART_MODELS_DIR: z.string().min(1).optional(),
  /** `s3://bucket/prefix`: real T5 exports are fetched from `prefix/<encoder id>/` (manifest-verified) into the models dir. */
  COLDSTART_MODELS_S3_URL: envS3Url.optional(),
  ONNX_INTRA_OP_THREADS: envInteger(0, { min: 0, max: 256 }),
  ONNX_GRAPH_OPTIMIZATION: z.enum(['disabled', 'basic', 'extended', 'all']).default('all'),
  /** Longer texts are truncated (keeping `</s>`). */
  EMBED_MAX_TOKENS: envInteger(512, { min: 8, max: 4_096 }),
  /** A run's padded tokens (batch × longest) at most; larger batches are split. */
  EMBED_TOKEN_BUDGET: envInteger(8_192, { min: 64, max: 1_048_576 }),
  /** Jobs in flight per process; at least the batch size, so batches can fill. */
  POOL_CONCURRENCY: envInteger(32, { min: 1, max: 1_000 }),
  EMBED_BATCH_SIZE: envInteger(32, { min: 1, max: 1_024 }),
  /** How long an idle encoder waits for a batch to fill; under load batches fill while it runs. */
  EMBED_BATCH_WAIT_MS: envInteger(5, { min: 0, max: 1_000 }),
  EMBED_CACHE_TTL_SECONDS: envInteger(30 * 86_400, { min: 60, max: 365 * 86_400 }),
});
export type EmbedConfig = z.infer<typeof EmbedEnv>;

export const loadConfig = () => parseEnv(EmbedEnv);
