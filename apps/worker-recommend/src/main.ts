import { snapshotStoreFromUrl } from '@coldstart/index-snapshots';
import { servePool } from '@coldstart/queues';
import { check, createLogger, fatal, type Logger } from '@coldstart/runtime';
import { CatalogStore, RecommendationStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { makeRecommendHandlers } from './recommend.processor.js';
import { replicaLag, reportReplicaLag } from './replica-lag.js';
import { ReplicaSet } from './wal-replica.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-recommend', level: config.LOG_LEVEL }));
  const snapshots = snapshotStoreFromUrl({ url: config.COLDSTART_SNAPSHOTS_S3_URL, endpoint: config.S3_ENDPOINT, region: config.AWS_REGION, logger: log });
  if (!snapshots) log.info('COLDSTART_SNAPSHOTS_S3_URL is unset: replicas replay each index log from its start');
  await servePool('recommend', config, log, async (redis, readiness) => {
    const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
    const replicas = new ReplicaSet(catalog, { snapshots, logger: log });
    for (const encoder of await catalog.indexNames()) {
      const started = Date.now();
      const replica = replicas.forEncoder(encoder);
      await replica.catchUp();
      log.info({ encoder, items: replica.index?.size ?? 0, walPosition: replica.position, snapshotId: replica.startedFrom, loadMs: Date.now() - started }, 'replica loaded');
    }
    reportReplicaLag(redis, config.COLDSTART_PREFIX, replicas);
    // Ready once every index's replica has replayed the log (before that a search would miss
    // items); the check shows each replica's lag.
    readiness.add(() =>
      check('replicas', async () => {
        const lags = await Promise.all(replicas.all().map((replica) => replicaLag(redis, config.COLDSTART_PREFIX, replica)));
        return Object.fromEntries(lags.map((lag) => [lag.index, { lagEntries: lag.entries, lagSeconds: lag.seconds, position: lag.position, snapshot: lag.snapshot ?? null }]));
      }),
    );
    return makeRecommendHandlers({
      replicas,
      catalog,
      recommendations: new RecommendationStore(redis, config.COLDSTART_PREFIX),
      // The seeds' own vectors, from the replica that searches (it holds every item's).
      itemVector: (encoder: string, itemId: string) => replicas.forEncoder(encoder).index?.vector(itemId),
      ranking: {
        weights: { topic: config.RANK_TOPIC_WEIGHT, seed: config.RANK_SEED_WEIGHT, popularity: config.RANK_POPULARITY_WEIGHT, topicDecay: config.RANK_TOPIC_DECAY },
        mmrLambda: config.RANK_MMR_LAMBDA,
        unknownPopularity: config.RANK_UNKNOWN_POPULARITY,
        candidates: config.RANK_CANDIDATES,
        excludeCategories: config.RANK_EXCLUDE_CATEGORIES,
      },
      topN: config.RECS_TOP_N,
    });
  });
}

main().catch((error: unknown) => fatal(logger, error));
