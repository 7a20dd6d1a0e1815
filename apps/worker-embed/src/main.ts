import { loadWordVectorEncoder, withEmbeddingCache, withMicroBatching } from '@coldstart/embeddings';
import { runPool } from '@coldstart/queues';
import { createLogger, fatal, installShutdown, type Logger } from '@coldstart/runtime';
import { RedisEmbeddingCache } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeEmbedHandlers } from './embed.processor.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-embed', level: config.LOG_LEVEL }));
  const started = Date.now();
  const encoder = await loadWordVectorEncoder();
  log.info({ encoder: encoder.id, dimension: encoder.dimension, loadMs: Date.now() - started }, 'encoder loaded');
  const batched = withMicroBatching(encoder, { maxBatch: config.EMBED_BATCH_SIZE, maxWaitMs: config.EMBED_BATCH_WAIT_MS });
  const pool = await runPool('embed', config, log, (redis) => {
    const cache = new RedisEmbeddingCache(redis, config.COLDSTART_PREFIX, config.EMBED_CACHE_TTL_SECONDS);
    const cached = withEmbeddingCache(batched, cache, (error) => log.warn({ err: error }, 'embedding cache unavailable; encoding anyway'));
    return makeEmbedHandlers({ encoder: cached });
  });
  installShutdown({ logger: log, deadlineMs: config.SHUTDOWN_DEADLINE_MS, close: () => pool.close() });
}

main().catch((error: unknown) => fatal(logger, error));
