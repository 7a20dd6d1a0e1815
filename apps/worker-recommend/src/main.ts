import { attributionSettings } from '@coldstart/config';
import { AttributionStore, attributionMetrics } from '@coldstart/experiments';
import { snapshotStoreFromUrl } from '@coldstart/index-log';
import {
  makeAttributeHandlers,
  makeFanoutHandlers,
  makeListBuilder,
  makeRecommendHandlers,
  makeUserVectorEntry,
  pipelineHops,
  QUEUES,
  type RecommendDeps,
} from '@coldstart/pipeline';
import { QueuePartitions, servePool } from '@coldstart/queues';
import { createLogger, fatal, type Logger } from '@coldstart/runtime';
import { CatalogStore, FanoutStore, ItemRecordCache, RecommendationStore } from '@coldstart/store';
import { loadConfig, rankingSettings } from './config.js';
import { loadReplicas } from './replicas.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-recommend', level: config.LOG_LEVEL }));
  const snapshots = snapshotStoreFromUrl({ url: config.COLDSTART_SNAPSHOTS_S3_URL, endpoint: config.S3_ENDPOINT, region: config.AWS_REGION, logger: log });
  if (!snapshots) log.info('COLDSTART_SNAPSHOTS_S3_URL is unset: replicas replay each index log from its start');
  await servePool(QUEUES.recommend, config, log, async (redis, readiness, jobs) => {
    // Candidates' catalog records, read once and kept until a replica applies a change to the item.
    const itemRecords = new ItemRecordCache(new CatalogStore(redis, config.COLDSTART_PREFIX));
    const { indexLog, replicas, behaviour, placement } = await loadReplicas(redis, config, snapshots, readiness, log, itemRecords);
    const recommendations = new RecommendationStore(redis, config.COLDSTART_PREFIX);
    const hops = pipelineHops(jobs, QueuePartitions.of(config));
    // The seeds' own vectors, from the replica that searches (it holds every item's).
    const itemVector = (encoder: string, itemId: string) => replicas.forEncoder(encoder).index?.vectorView(itemId);
    const ranking = rankingSettings(config);
    const deps: RecommendDeps = {
      replicas,
      catalog: itemRecords,
      recommendations,
      itemVector,
      behaviour,
      placement,
      ranking,
      topN: config.RECS_TOP_N,
      // Each stored list records the user's interest vector for the fan-out (off with FANOUT_USERS=0).
      ...(config.FANOUT_USERS > 0 ? { userVectors: { entry: makeUserVectorEntry({ itemVector, weights: ranking.weights }), record: hops.recordUserVectors } } : {}),
      signupAlone: hops.signupAlone,
    };
    const fanout = { maxUsers: config.FANOUT_USERS, minSimilarity: config.FANOUT_MIN_SIMILARITY, activeWithinMs: config.FANOUT_ACTIVE_WITHIN_SECONDS * 1000, windowMs: config.FANOUT_WINDOW_MS };
    return {
      ...makeRecommendHandlers(deps),
      ...makeAttributeHandlers({ attribution: new AttributionStore(redis, config.COLDSTART_PREFIX, attributionSettings(config)), metrics: attributionMetrics() }),
      ...makeFanoutHandlers({
        replicas,
        indexLog,
        recommendations,
        fanout: new FanoutStore(redis, config.COLDSTART_PREFIX),
        buildList: makeListBuilder(deps),
        itemVector,
        placement,
        schedule: hops.fanOutToUser,
        settings: fanout,
      }),
    };
  });
}

main().catch((error: unknown) => fatal(logger, error));
