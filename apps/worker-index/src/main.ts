import { runPool, type RunningPool } from '@coldstart/queues';
import { collectProcessMetrics, createLogger, fatal, installShutdown, startHealthServer, type Logger } from '@coldstart/runtime';
import { CatalogStore, RecommendationStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeIndexHandlers } from './index.processor.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ app: 'worker-index', level: config.LOG_LEVEL });
  collectProcessMetrics();
  let pool: RunningPool | undefined;
  const health = await startHealthServer({
    port: config.METRICS_PORT,
    host: config.METRICS_HOST,
    logger,
    ready: async () => (pool ? pool.ready() : [{ name: 'pool', ok: false, detail: 'starting' }]),
  });
  const running = (pool = await runPool('index', config, logger, (redis) =>
    makeIndexHandlers({
      catalog: new CatalogStore(redis, config.COLDSTART_PREFIX),
      recommendations: new RecommendationStore(redis, config.COLDSTART_PREFIX),
    }),
  ));
  installShutdown({ logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS, health, close: () => running.close() });
}

main().catch((error: unknown) => fatal(logger, error));
