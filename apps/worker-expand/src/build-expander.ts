import { CatalogExpander, type Expander } from '@coldstart/expander';
import { ExpansionCache, InFlightLimit, isModelVariant, LlmExpander, llmMetrics, RequestBudget } from '@coldstart/llm';
import type { Logger } from '@coldstart/runtime';
import type { CatalogStore } from '@coldstart/store';
import type { RedisClient } from '@coldstart/config';
import { configuredVariants, type ExpandConfig } from './config.js';

/** The LLM expander when a model is configured, with the catalog expander as its fallback; the catalog expander alone otherwise. */
export function buildExpander(config: ExpandConfig, redis: RedisClient, catalog: CatalogStore, log: Logger): Expander {
  const catalogExpander = new CatalogExpander(catalog, { refreshMs: config.EXPANDER_STATS_REFRESH_MS });
  const variants = configuredVariants(config);
  if (!variants) return catalogExpander;
  const request = { timeoutMs: config.LLM_TIMEOUT_MS, retries: config.LLM_RETRIES, retryBaseMs: config.LLM_RETRY_BASE_MS };
  log.info(
    {
      experiment: config.LLM_EXPERIMENT,
      variants: Object.fromEntries(
        Object.entries(variants).map(([name, v]) => [name, isModelVariant(v) ? { model: v.model, weight: v.weight, promptVersion: v.promptVersion } : { expander: v.expander, weight: v.weight }]),
      ),
    },
    'LLM expansion on: the experiment’s variants (models, with the catalog expander as fallback, and any baseline arms)',
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
    inFlight: new InFlightLimit(config.LLM_MAX_IN_FLIGHT),
    batch: { maxSize: config.LLM_BATCH_MAX, windowMs: config.LLM_BATCH_WINDOW_MS },
    logger: log,
    env: process.env,
  });
}
