import { servePool } from '@coldstart/queues';
import { createLogger, fatal, type Logger } from '@coldstart/runtime';
import { CatalogStore, RecommendationStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeIndexHandlers } from './index.processor.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ app: 'worker-index', level: config.LOG_LEVEL });
  await servePool('index', config, logger, (redis) =>
    makeIndexHandlers({
      catalog: new CatalogStore(redis, config.COLDSTART_PREFIX),
      recommendations: new RecommendationStore(redis, config.COLDSTART_PREFIX),
    }),
  );
}

main().catch((error: unknown) => fatal(logger, error));
