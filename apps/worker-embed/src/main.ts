import { withEmbeddingCache, withMicroBatching } from '@coldstart/embeddings';
import { runPool } from '@coldstart/queues';
import { collectProcessMetrics, createLogger, fatal, histogram, installShutdown, startHealthServer, type Logger } from '@coldstart/runtime';
import { RedisEmbeddingCache } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeEmbedHandlers } from './embed.processor.js';
import { loadConfiguredEncoder } from './load-configured-encoder.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-embed', level: config.LOG_LEVEL }));
  collectProcessMetrics();
  let pool: Awaited<ReturnType<typeof runPool>> | undefined;
  const health = await startHealthServer({
    port: config.METRICS_PORT,
    host: config.METRICS_HOST,
    logger: log,
    ready: async () => (pool ? pool.ready() : [{ name: 'pool', ok: false, detail: 'loading the encoder' }]),
  });
  const batchSizes = histogram({
    name: 'coldstart_embed_batch_size',
    help: 'Texts per encoder run (micro-batching).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
  });
  const started = Date.now();
  const encoder = await loadConfiguredEncoder(config);
  log.info({ encoder: encoder.id, dimension: encoder.dimension, loadMs: Date.now() - started }, 'encoder loaded');
  const batched = withMicroBatching(encoder, { maxBatch: config.EMBED_BATCH_SIZE, maxWaitMs: config.EMBED_BATCH_WAIT_MS, onBatch: (size) => batchSizes.observe(size) });
  const running = (pool = await runPool('embed', config, log, (redis) => {
    const cache = new RedisEmbeddingCache(redis, config.COLDSTART_PREFIX, config.EMBED_CACHE_TTL_SECONDS);
    const cached = withEmbeddingCache(batched, cache, (error) => log.warn({ err: error }, 'embedding cache unavailable; encoding anyway'));
    return makeEmbedHandlers({ encoder: cached });
  }));
  installShutdown({ logger: log, deadlineMs: config.SHUTDOWN_DEADLINE_MS, health, close: () => running.close() });
}

main().catch((error: unknown) => fatal(logger, error));
