import { CatalogExpander } from '@coldstart/expander';
import { runPool } from '@coldstart/queues';
import { createLogger, fatal, installShutdown, type Logger } from '@coldstart/runtime';
import { CatalogStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeExpandHandlers } from './expand.processor.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ app: 'worker-expand', level: config.LOG_LEVEL });
  const pool = await runPool('expand', config, logger, (redis) => {
    const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
    const expander = new CatalogExpander(catalog, { refreshMs: config.EXPANDER_STATS_REFRESH_MS });
    return makeExpandHandlers({ catalog, expander });
  });
  installShutdown({ logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS, close: () => pool.close() });
}

main().catch((error: unknown) => fatal(logger, error));
