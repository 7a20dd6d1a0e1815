import { createRedis } from '@coldstart/queues';
import { createLogger, fatal, installShutdown, type Logger } from '@coldstart/runtime';
import { RecommendationStore } from '@coldstart/store';
import { buildApi } from './build-api.js';
import { loadConfig } from './config.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'api', level: config.LOG_LEVEL }));
  const redis = createRedis(config.REDIS_URL, 'producer');
  const app = buildApi({
    recommendations: new RecommendationStore(redis, config.COLDSTART_PREFIX),
    ping: () => redis.ping(),
    token: config.API_TOKEN,
    logger: log,
  });
  if (!config.API_TOKEN) log.warn('API_TOKEN is not set: the read API is open to anyone who can reach it');
  await app.listen({ host: config.API_HOST, port: config.API_PORT });
  installShutdown({
    logger: log,
    deadlineMs: config.SHUTDOWN_DEADLINE_MS,
    close: async () => {
      await app.close();
      await redis.quit();
    },
  });
}

main().catch((error: unknown) => fatal(logger, error));
