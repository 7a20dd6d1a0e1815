import { CatalogExpander, type Expander } from '@coldstart/expander';
import { ExpansionCache, LlmExpander, llmMetrics, RequestBudget } from '@coldstart/llm';
import { makeExpandHandlers, QUEUES } from '@coldstart/pipeline';
import { servePool } from '@coldstart/queues';
import { createLogger, fatal, type Logger } from '@coldstart/runtime';
import { CatalogStore } from '@coldstart/store';
import type { Redis } from 'ioredis';
import { configuredVariants, loadConfig, type ExpandConfig } from './config.js';

let logger: Logger | undefined;

/** The LLM expander when a model is configured, with the catalog expander as its fallback; the catalog expander alone otherwise. */
function buildExpander(config: ExpandConfig, redis: Redis, catalog: CatalogStore, log: Logger): Expander {
  const catalogExpander = new CatalogExpander(catalog, { refreshMs: config.EXPANDER_STATS_REFRESH_MS });
  const variants = configuredVariants(config);
  if (!variants) return catalogExpander;
  const request = { timeoutMs: config.LLM_TIMEOUT_MS, retries: config.LLM_RETRIES, retryBaseMs: config.LLM_RETRY_BASE_MS };
  log.info(
    { experiment: config.LLM_EXPERIMENT, variants: Object.fromEntries(Object.entries(variants).map(([name, v]) => [name, { model: v.model, weight: v.weight, promptVersion: v.promptVersion }])) },
    'LLM expansion on, with the catalog expander as fallback',
  );
  return new LlmExpander({
    variants,
    experiment: config.LLM_EXPERIMENT,
    fallback: catalogExpander,
    cache: new ExpansionCache(redis, config.COLDSTART_PREFIX, {
      ttlSeconds: config.LLM_CACHE_TTL_SECONDS,
      leaseMs: config.LLM_COALESCE_LEASE_MS,
      failureTtlMs: Math.min(config.LLM_BREAKER_OPEN_MS, 5_000),
    }),
    request,
    breaker: { failureThreshold: config.LLM_BREAKER_FAILURES, openMs: config.LLM_BREAKER_OPEN_MS },
    metrics: llmMetrics(),
    ...(config.LLM_RATE_LIMIT_PER_SEC > 0 ? { budget: new RequestBudget(redis, config.COLDSTART_PREFIX, config.LLM_RATE_LIMIT_PER_SEC) } : {}),
    logger: log,
    env: process.env,
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-expand', level: config.LOG_LEVEL }));
  // BullMQ applies a queue-wide pause (JobContext.rateLimit, for the LLM server's 429) only to
  // workers that have a limiter; this one is that switch, not a cap: the cap on LLM requests is
  // the RequestBudget, which delays only the jobs that need a request.
  const limiter = configuredVariants(config) ? { max: 1_000_000, durationMs: 1_000 } : undefined;
  await servePool(
    QUEUES.expand,
    config,
    log,
    (redis) => {
      const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
      return makeExpandHandlers({ catalog, expander: buildExpander(config, redis, catalog, log) });
    },
    limiter ? { limiter } : {},
  );
}

main().catch((error: unknown) => fatal(logger, error));
