import { BehaviourLog } from '@coldstart/behaviour';
import { acquireWriterLease, IndexLog } from '@coldstart/index-log';
import { makeIndexHandlers, makeLearnHandlers, pipelineHops, QUEUES } from '@coldstart/pipeline';
import { QueuePartitions, servePool } from '@coldstart/queues';
import { createLogger, fatal, type Logger } from '@coldstart/runtime';
import { CatalogStore, RecommendationStore } from '@coldstart/store';
import { loadConfig } from './config.js';
import { startSnapshotProcess } from './snapshot-process.js';
import { startUserExpiry } from './user-expiry.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-index', level: config.LOG_LEVEL }));
  if (!config.COLDSTART_SNAPSHOTS_S3_URL) log.info('COLDSTART_SNAPSHOTS_S3_URL is unset: no index snapshots, and the write-ahead logs are never trimmed');
  // A deposed writer's appends already fail on its stale token; SIGTERM makes it restart as a standby.
  const stepDown = (reason: string) => {
    log.error({ reason }, 'no longer the writer; shutting down');
    process.kill(process.pid, 'SIGTERM');
  };
  await servePool(QUEUES.index, config, log, async (redis, _readiness, jobs) => {
    // Blocks while another process is the writer: this one stays a standby, not ready.
    const lease = await acquireWriterLease(new IndexLog(redis, config.COLDSTART_PREFIX), { leaseMs: config.WRITER_LEASE_MS, logger: log, onLost: stepDown });
    const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX, { writerToken: lease.token });
    const indexLog = new IndexLog(redis, config.COLDSTART_PREFIX, { writerToken: lease.token });
    if (config.COLDSTART_SNAPSHOTS_S3_URL) {
      const snapshotter = startSnapshotProcess({ fencingToken: lease.token, logger: log, onFenced: stepDown });
      // A snapshot in progress finishes in the child; the lease then lapses on its own, since
      // jobs still draining must keep appending until the pool closes.
      process.once('SIGTERM', () => void snapshotter.stop());
    }
    if (config.USER_VECTOR_TTL_SECONDS > 0) {
      const expiry = startUserExpiry({
        indexLog,
        ttlSeconds: config.USER_VECTOR_TTL_SECONDS,
        batch: 500,
        intervalMs: config.USER_EXPIRY_INTERVAL_SECONDS * 1000,
        logger: log,
        onFenced: stepDown,
      });
      process.once('SIGTERM', () => void expiry.stop());
    }
    const behaviour = new BehaviourLog(redis, config.COLDSTART_PREFIX, {
      writerToken: lease.token,
      settings: { positiveRating: config.BEHAVIOUR_POSITIVE_RATING, historyItems: config.BEHAVIOUR_HISTORY_ITEMS, eventTtlSeconds: config.BEHAVIOUR_EVENT_TTL_SECONDS },
    });
    // Applied item upserts go on to the recommend pool's new-item fan-out (its settings live there).
    const hops = pipelineHops(jobs, QueuePartitions.of(config));
    const recommendations = new RecommendationStore(redis, config.COLDSTART_PREFIX);
    return {
      ...makeIndexHandlers({ catalog, indexLog, recommendations, behaviour, fanOut: hops.fanOutItem, seedArrived: hops.seedArrived, recordUserVectors: hops.recordUserVectors }),
      ...makeLearnHandlers({ behaviour }),
    };
  });
}

main().catch((error: unknown) => fatal(logger, error));
