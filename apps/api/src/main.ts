import { attributionSettings } from '@coldstart/config';
import { AttributionStore } from '@coldstart/experiments';
import { createRedis, QueuePartitions } from '@coldstart/queues';
import { collectProcessMetrics, createLogger, fatal, installShutdown, type Logger } from '@coldstart/runtime';
import { RecommendationStore } from '@coldstart/store';
import { buildApi } from './build-api.js';
import { loadConfig } from './config.js';
import { dashboardMode, DASHBOARD_PATH } from './dashboard.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'api', level: config.LOG_LEVEL }));
  collectProcessMetrics();
  const redis = createRedis(config.REDIS_URL, 'producer', log);
  let shuttingDown = false;
  const app = buildApi({
    recommendations: new RecommendationStore(redis, config.COLDSTART_PREFIX),
    attribution: new AttributionStore(redis, config.COLDSTART_PREFIX, attributionSettings(config)),
    ping: () => redis.ping(),
    token: config.API_TOKEN,
    adminToken: config.API_ADMIN_TOKEN,
    dashboard: { connection: redis, queues: QueuePartitions.of(config) },
    shuttingDown: () => shuttingDown,
    logger: log,
  });
  if (!config.API_TOKEN) log.warn('API_TOKEN is not set: the read API is open to anyone who can reach it');
  const dashboard = dashboardMode({ apiToken: config.API_TOKEN, adminToken: config.API_ADMIN_TOKEN });
  if (dashboard === 'disabled') log.warn(`neither API_TOKEN nor API_ADMIN_TOKEN is set: the queue dashboard (${DASHBOARD_PATH}) is disabled`);
  else log.info({ path: DASHBOARD_PATH, mode: dashboard }, 'queue dashboard mounted');
  await app.listen({ host: config.API_HOST, port: config.API_PORT });
  installShutdown({
    logger: log,
    deadlineMs: config.SHUTDOWN_DEADLINE_MS,
    close: async () => {
      // /readyz answers 503 from here on; Fastify then stops accepting connections, answers
      // 503 on kept-alive ones and waits for the requests in flight.
      shuttingDown = true;
      await app.close();
      await redis.quit();
    },
  });
}

main().catch((error: unknown) => fatal(logger, error));
