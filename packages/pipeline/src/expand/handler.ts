import { NothingToExpandError, type Expander } from '@coldstart/expander';
import { LlmRateLimitedError } from '@coldstart/llm';
import type { CatalogItemRecord, CatalogStore } from '@coldstart/store';
import type { JobContext } from '@coldstart/queues';
import type { QueueHandlers } from '../catalog.js';
import type { Hops } from '../graph.js';
import { SEED_WAIT_RETRIES } from '../seed-wait.js';
import { settleEach, signupGoesOnAlone } from '../settle-each.js';
import { seedItemIds, type Signup } from '../signup/jobs.js';
import type { Expansion } from './jobs.js';

export interface ExpandDeps {
  catalog: Pick<CatalogStore, 'getItems'>;
  expander: Expander;
  /** Where a signup that fails in a batch goes on alone (settle-each.ts). */
  signupAlone: Hops['signupAlone'];
}

export function makeExpandHandlers(deps: ExpandDeps): QueueHandlers<'expand'> {
  // `context.logger` is read only where a line is written: the job's logger is made on first use.
  async function expandOne(signup: Signup, seeds: Map<string, CatalogItemRecord>, context: JobContext): Promise<Expansion> {
    const { job, signal, rateLimit, retryLater } = context;
    const ids = seedItemIds(signup);
    const known = ids.flatMap((id) => seeds.get(id) ?? []);
    try {
      return await deps.expander.expand({ userId: signup.userId, categories: signup.categories, seedItems: known, ...(signup.locale ? { locale: signup.locale } : {}) }, signal);
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
      const missing = ids.filter((id) => !seeds.has(id));
      // A seed item the catalog does not know yet may still arrive (SQS does not order the
      // two queues), so that case is retried for a while (in a batch, by the signup's own
      // flow); then, as when every seed is known and still nothing expands, the user goes on
      // without topics: the recommend stage serves them from their seeds' behaviour, their
      // categories or popularity.
      if (missing.length > 0 && job.attemptsMade < SEED_WAIT_RETRIES) {
        throw new Error(`seed items of user ${signup.userId} not in the catalog yet: ${missing.slice(0, 5).join(', ')}`, { cause: error });
      }
      context.logger.info({ userId: signup.userId, eventId: signup.eventId, reason: error.message, missingSeeds: missing.length }, 'nothing to expand; the user is served from other signals');
      return { topics: [], source: 'none', expander: 'none', ...(error.assignment ?? {}) };
    }
  }

  return {
    'expand-topics': async (data, context) => {
      const seeds = await deps.catalog.getItems([...new Set(data.signups.flatMap(seedItemIds))]);
      const expanded = await settleEach(
        'expand-topics',
        data.signups,
        (signup) => expandOne(signup, seeds, context),
        signupGoesOnAlone(context, deps.signupAlone, 'expanding its interests'),
      );
      return { signups: expanded.map(({ entry, result }) => ({ eventId: entry.eventId, expansion: result })) };
    },
  };
}
