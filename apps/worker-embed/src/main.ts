import { resolveEncoderSpec, withEmbeddingCache, withMicroBatching } from '@coldstart/embeddings';
import { makeEmbedHandlers, pipelineHops, QUEUES } from '@coldstart/pipeline';
import { QueuePartitions, servePool } from '@coldstart/queues';
import { createLogger, fatal, histogram, type Logger } from '@coldstart/runtime';
import { RedisEmbeddingCache } from '@coldstart/store';
import { loadConfig } from './config.js';
import { loadConfiguredEncoder } from './load-configured-encoder.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-embed', level: config.LOG_LEVEL }));
  const batchSizes = histogram({
    name: 'coldstart_embed_batch_size',
    help: 'Texts per encoder run (micro-batching).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
  });
  await servePool(QUEUES.embed, config, log, async (redis, _readiness, jobs) => {
    const started = Date.now();
    const encoder = await loadConfiguredEncoder(config);
    log.info({ encoder: encoder.id, dimension: encoder.dimension, loadMs: Date.now() - started }, 'encoder loaded');
    const { signupAlone } = pipelineHops(jobs, QueuePartitions.of(config));
    const batched = withMicroBatching(encoder, { maxBatch: config.EMBED_BATCH_SIZE, maxWaitMs: config.EMBED_BATCH_WAIT_MS, onBatch: (size) => batchSizes.observe(size) });
    // A model (T5) takes milliseconds a text, so the cache's one round trip a batch saves work.
    // Word vectors are an in-memory lookup of microseconds a text: the round trip would cost
    // more than it saves (bench pipeline), so their vectors are computed every time.
    if (resolveEncoderSpec(config.ENCODER).kind === 'word-vectors') return makeEmbedHandlers({ encoder: batched, signupAlone });
    const cache = new RedisEmbeddingCache(redis, config.COLDSTART_PREFIX, config.EMBED_CACHE_TTL_SECONDS);
    const cached = withEmbeddingCache(batched, cache, (error) => log.warn({ err: error }, 'embedding cache unavailable; encoding anyway'));
    return makeEmbedHandlers({ encoder: cached, signupAlone });
  });
}

main().catch((error: unknown) => fatal(logger, error));
