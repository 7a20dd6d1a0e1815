import { CatalogExpander } from '@coldstart/expander';
import { createRedis, runPool } from '@coldstart/queues';
import { createLogger, fatal, installShutdown, type Logger } from '@coldstart/runtime';
import { CatalogStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeExpandHandlers } from './expand.processor.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ app: 'worker-expand', level: config.LOG_LEVEL });
  const redis = createRedis(config.REDIS_URL, 'worker');
  const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
  const expander = new CatalogExpander(catalog, { refreshMs: config.EXPANDER_STATS_REFRESH_MS });
  const pool = runPool('expand', makeExpandHandlers({ catalog, expander }), config, logger);
  installShutdown({
    logger,
    deadlineMs: config.SHUTDOWN_DEADLINE_MS,
    close: async () => {
      await pool.close();
      await redis.quit();
    },
  });
}

main().catch((error: unknown) => fatal(logger, error));
