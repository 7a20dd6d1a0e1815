import { runPool, type RunningPool } from '@coldstart/queues';
import { check, collectProcessMetrics, createLogger, fatal, installShutdown, startHealthServer, type Check, type Logger } from '@coldstart/runtime';
import { CatalogStore, RecommendationStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeRecommendHandlers } from './recommend.processor.js';
import { replicaLag, reportReplicaLag } from './replica-lag.js';
import { ReplicaSet } from './wal-replica.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-recommend', level: config.LOG_LEVEL }));
  collectProcessMetrics();
  let pool: RunningPool | undefined;
  let replicasReady: (() => Promise<Check>) | undefined;
  // Ready once every index's replica has replayed the log (before that a search would miss
  // items) and Redis answers; the check shows each replica's lag.
  const health = await startHealthServer({
    port: config.METRICS_PORT,
    host: config.METRICS_HOST,
    logger: log,
    ready: async () =>
      pool && replicasReady ? [...(await pool.ready()), await replicasReady()] : [{ name: 'replicas', ok: false, detail: 'replaying the log' }],
  });
  const running = (pool = await runPool('recommend', config, log, async (redis) => {
    const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
    const replicas = new ReplicaSet(catalog);
    for (const encoder of await catalog.indexNames()) {
      const started = Date.now();
      const replica = replicas.forEncoder(encoder);
      await replica.catchUp();
      log.info({ encoder, items: replica.index?.size ?? 0, walPosition: replica.position, loadMs: Date.now() - started }, 'replica loaded');
    }
    reportReplicaLag(redis, config.COLDSTART_PREFIX, replicas);
    replicasReady = () =>
      check('replicas', async () => {
        const lags = await Promise.all(replicas.all().map((replica) => replicaLag(redis, config.COLDSTART_PREFIX, replica)));
        return Object.fromEntries(lags.map((lag) => [lag.index, { lagEntries: lag.entries, lagSeconds: lag.seconds }]));
      });
    return makeRecommendHandlers({
      replicas,
      catalog,
      recommendations: new RecommendationStore(redis, config.COLDSTART_PREFIX),
      topN: config.RECS_TOP_N,
    });
  }));
  installShutdown({ logger: log, deadlineMs: config.SHUTDOWN_DEADLINE_MS, health, close: () => running.close() });
}

main().catch((error: unknown) => fatal(logger, error));
