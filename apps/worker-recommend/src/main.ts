import { runPool } from '@coldstart/queues';
import { createLogger, fatal, installShutdown, type Logger } from '@coldstart/runtime';
import { CatalogStore, RecommendationStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeRecommendHandlers } from './recommend.processor.js';
import { ReplicaSet } from './wal-replica.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-recommend', level: config.LOG_LEVEL }));
  const pool = await runPool('recommend', config, log, async (redis) => {
    const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
    const replicas = new ReplicaSet(catalog);
    for (const encoder of await catalog.indexNames()) {
      const started = Date.now();
      const replica = replicas.forEncoder(encoder);
      await replica.catchUp();
      log.info({ encoder, items: replica.index?.size ?? 0, walPosition: replica.position, loadMs: Date.now() - started }, 'replica loaded');
    }
    return makeRecommendHandlers({
      replicas,
      catalog,
      recommendations: new RecommendationStore(redis, config.COLDSTART_PREFIX),
      topN: config.RECS_TOP_N,
    });
  });
  installShutdown({ logger: log, deadlineMs: config.SHUTDOWN_DEADLINE_MS, close: () => pool.close() });
}

main().catch((error: unknown) => fatal(logger, error));
