import { envInteger, parseEnv, PoolEnv } from '@coldstart/config';
import { z } from 'zod';

export const EmbedEnv = PoolEnv.extend({
  /** A registry id (see packages/embeddings); the word-vector encoder needs no model files. */
  ENCODER: z.string().min(1).default('wink-glove-100d'),
  /** Jobs in flight per process; at least the batch size, so batches can fill. */
  POOL_CONCURRENCY: envInteger(32, { min: 1, max: 1_000 }),
  EMBED_BATCH_SIZE: envInteger(32, { min: 1, max: 1_024 }),
  /** How long an idle encoder waits for a batch to fill; under load batches fill while it runs. */
  EMBED_BATCH_WAIT_MS: envInteger(5, { min: 0, max: 1_000 }),
  EMBED_CACHE_TTL_SECONDS: envInteger(30 * 86_400, { min: 60, max: 365 * 86_400 }),
});

export const loadConfig = () => parseEnv(EmbedEnv);
