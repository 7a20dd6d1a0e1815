import { runPool } from '@coldstart/queues';
import { createLogger, fatal, installShutdown, type Logger } from '@coldstart/runtime';
import { CatalogStore, RecommendationStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeIndexHandlers } from './index.processor.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ app: 'worker-index', level: config.LOG_LEVEL });
  const pool = await runPool('index', config, logger, (redis) =>
    makeIndexHandlers({
      catalog: new CatalogStore(redis, config.COLDSTART_PREFIX),
      recommendations: new RecommendationStore(redis, config.COLDSTART_PREFIX),
    }),
  );
  installShutdown({ logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS, close: () => pool.close() });
}

main().catch((error: unknown) => fatal(logger, error));
