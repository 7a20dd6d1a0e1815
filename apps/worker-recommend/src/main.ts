import { IndexLog, ReplicaSet, snapshotStoreFromUrl } from '@coldstart/index-log';
import {
  createHops,
  createPipelineProducer,
  makeFanoutHandlers,
  makeListBuilder,
  makeRecommendHandlers,
  makeUserVectorRecorder,
  QUEUES,
  type RecommendDeps,
} from '@coldstart/pipeline';
import { servePool } from '@coldstart/queues';
import { check, createLogger, fatal, type Logger } from '@coldstart/runtime';
import { CatalogStore, FanoutStore, RecommendationStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { replicaLag, reportReplicaLag } from './replica-lag.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-recommend', level: config.LOG_LEVEL }));
  const snapshots = snapshotStoreFromUrl({ url: config.COLDSTART_SNAPSHOTS_S3_URL, endpoint: config.S3_ENDPOINT, region: config.AWS_REGION, logger: log });
  if (!snapshots) log.info('COLDSTART_SNAPSHOTS_S3_URL is unset: replicas replay each index log from its start');
  await servePool(QUEUES.recommend, config, log, async (redis, readiness) => {
    const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
    const indexLog = new IndexLog(redis, config.COLDSTART_PREFIX);
    const replicas = new ReplicaSet(indexLog, { snapshots, logger: log });
    // Item indexes and user-vector indexes (new-item fan-out) alike: loaded before the pool is ready.
    for (const index of [...(await indexLog.indexNames()), ...(await indexLog.userIndexNames())]) {
      const started = Date.now();
      const replica = replicas.forIndex(index);
      await replica.catchUp();
      log.info({ index, vectors: replica.index?.size ?? 0, walPosition: replica.position, snapshotId: replica.startedFrom, loadMs: Date.now() - started }, 'replica loaded');
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
    const recommendations = new RecommendationStore(redis, config.COLDSTART_PREFIX);
    const hops = createHops(createPipelineProducer(redis, config.COLDSTART_PREFIX));
    // The seeds' own vectors, from the replica that searches (it holds every item's).
    const itemVector = (encoder: string, itemId: string) => replicas.forEncoder(encoder).index?.vector(itemId);
    const weights = { topic: config.RANK_TOPIC_WEIGHT, seed: config.RANK_SEED_WEIGHT, popularity: config.RANK_POPULARITY_WEIGHT, topicDecay: config.RANK_TOPIC_DECAY };
    const deps: RecommendDeps = {
      replicas,
      catalog,
      recommendations,
      itemVector,
      ranking: {
        weights,
        mmrLambda: config.RANK_MMR_LAMBDA,
        unknownPopularity: config.RANK_UNKNOWN_POPULARITY,
        candidates: config.RANK_CANDIDATES,
        excludeCategories: config.RANK_EXCLUDE_CATEGORIES,
      },
      topN: config.RECS_TOP_N,
      // Each stored list records the user's interest vector for the fan-out (off with FANOUT_USERS=0).
      ...(config.FANOUT_USERS > 0
        ? { onListStored: makeUserVectorRecorder({ recommendations, itemVector, weights, enqueue: hops.recordUserVector }) }
        : {}),
    };
    return {
      ...makeRecommendHandlers(deps),
      ...makeFanoutHandlers({
        replicas,
        indexLog,
        recommendations,
        fanout: new FanoutStore(redis, config.COLDSTART_PREFIX),
        buildList: makeListBuilder(deps),
        itemVector,
        schedule: hops.fanOutToUser,
        settings: {
          maxUsers: config.FANOUT_USERS,
          minSimilarity: config.FANOUT_MIN_SIMILARITY,
          activeWithinMs: config.FANOUT_ACTIVE_WITHIN_SECONDS * 1000,
          windowMs: config.FANOUT_WINDOW_MS,
        },
      }),
    };
  });
}

main().catch((error: unknown) => fatal(logger, error));
