import { NothingToExpandError, type Expander } from '@coldstart/expander';
import { LlmRateLimitedError } from '@coldstart/llm';
import type { CatalogStore } from '@coldstart/store';
import type { QueueHandlers } from '../catalog.js';
import { SEED_WAIT_RETRIES } from '../seed-wait.js';

export interface ExpandDeps {
  catalog: Pick<CatalogStore, 'getItems'>;
  expander: Expander;
}

export function makeExpandHandlers(deps: ExpandDeps): QueueHandlers<'expand'> {
  return {
    // `context.logger` is read only where a line is written: the job's logger is made on first use.
    'expand-topics': async (data, context) => {
      const { job, signal, rateLimit, retryLater } = context;
      const seeds = await deps.catalog.getItems(data.seedItemIds);
      try {
        return await deps.expander.expand(
          { userId: data.userId, categories: data.categories, seedItems: [...seeds.values()], ...(data.locale ? { locale: data.locale } : {}) },
          signal,
        );
      } catch (error) {
        // "Not now", without spending one of the job's attempts. The server's 429 concerns every
        // request, so the whole queue pauses for its Retry-After; a spent request budget concerns
        // only jobs that need a request, so only this one waits and cache hits keep flowing.
        if (error instanceof LlmRateLimitedError && error.by === 'server') {
          context.logger.warn({ retryAfterMs: error.retryAfterMs }, 'LLM server rate limited us (429); pausing the expand queue');
          throw await rateLimit(error.retryAfterMs);
        }
        if (error instanceof LlmRateLimitedError) throw await retryLater(error.retryAfterMs);
        if (!(error instanceof NothingToExpandError)) throw error;
        const missing = data.seedItemIds.filter((id) => !seeds.has(id));
        // A seed item the catalog does not know yet may still arrive (SQS does not order the
        // two queues), so that case is retried for a while; then, as when every seed is known
        // and still nothing expands, the user goes on without topics: the recommend stage
        // serves them from their seeds' behaviour, their categories or popularity.
        if (missing.length > 0 && job.attemptsMade < SEED_WAIT_RETRIES) {
          throw new Error(`seed items not in the catalog yet: ${missing.slice(0, 5).join(', ')}`, { cause: error });
        }
        context.logger.info({ reason: error.message, missingSeeds: missing.length }, 'nothing to expand; the user is served from other signals');
        return { topics: [], source: 'none', expander: 'none', ...(error.assignment ?? {}) };
      }
    },
  };
}
