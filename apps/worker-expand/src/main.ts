import { CatalogExpander } from '@coldstart/expander';
import { runPool, type RunningPool } from '@coldstart/queues';
import { collectProcessMetrics, createLogger, fatal, installShutdown, startHealthServer, type Logger } from '@coldstart/runtime';
import { CatalogStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeExpandHandlers } from './expand.processor.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ app: 'worker-expand', level: config.LOG_LEVEL });
  collectProcessMetrics();
  // LLM metrics (request latency, tokens, cache hits, fallbacks) arrive with the LLM expander.
  let pool: RunningPool | undefined;
  const health = await startHealthServer({
    port: config.METRICS_PORT,
    host: config.METRICS_HOST,
    logger,
    ready: async () => (pool ? pool.ready() : [{ name: 'pool', ok: false, detail: 'starting' }]),
  });
  const running = (pool = await runPool('expand', config, logger, (redis) => {
    const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
    const expander = new CatalogExpander(catalog, { refreshMs: config.EXPANDER_STATS_REFRESH_MS });
    return makeExpandHandlers({ catalog, expander });
  }));
  installShutdown({ logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS, health, close: () => running.close() });
}

main().catch((error: unknown) => fatal(logger, error));
