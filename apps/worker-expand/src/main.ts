import { CatalogExpander } from '@coldstart/expander';
import { servePool } from '@coldstart/queues';
import { createLogger, fatal, type Logger } from '@coldstart/runtime';
import { CatalogStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeExpandHandlers } from './expand.processor.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ app: 'worker-expand', level: config.LOG_LEVEL });
  // LLM metrics (request latency, tokens, cache hits, fallbacks) arrive with the LLM expander.
  await servePool('expand', config, logger, (redis) => {
    const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
    const expander = new CatalogExpander(catalog, { refreshMs: config.EXPANDER_STATS_REFRESH_MS });
    return makeExpandHandlers({ catalog, expander });
  });
}

main().catch((error: unknown) => fatal(logger, error));
