import { createRedis, runPool } from '@coldstart/queues';
import { createLogger, fatal, installShutdown, type Logger } from '@coldstart/runtime';
import { CatalogStore, RecommendationStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeRecommendHandlers } from './recommend.processor.js';
import { WalReplica } from './wal-replica.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ app: 'worker-recommend', level: config.LOG_LEVEL });
  const redis = createRedis(config.REDIS_URL, 'worker');
  const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
  const replica = new WalReplica(catalog);
  const started = Date.now();
  await replica.catchUp();
  logger.info({ items: replica.index?.size ?? 0, walPosition: replica.position, loadMs: Date.now() - started }, 'replica loaded');
  const handlers = makeRecommendHandlers({
    replica,
    catalog,
    recommendations: new RecommendationStore(redis, config.COLDSTART_PREFIX),
    topN: config.RECS_TOP_N,
  });
  const pool = runPool('recommend', handlers, config, logger);
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
