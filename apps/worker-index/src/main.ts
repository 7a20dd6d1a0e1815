import { createRedis, runPool } from '@coldstart/queues';
import { createLogger, fatal, installShutdown, type Logger } from '@coldstart/runtime';
import { CatalogStore, RecommendationStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeIndexHandlers } from './index.processor.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ app: 'worker-index', level: config.LOG_LEVEL });
  const redis = createRedis(config.REDIS_URL, 'worker');
  const handlers = makeIndexHandlers({
    catalog: new CatalogStore(redis, config.COLDSTART_PREFIX),
    recommendations: new RecommendationStore(redis, config.COLDSTART_PREFIX),
  });
  const pool = runPool('index', handlers, config, logger);
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
