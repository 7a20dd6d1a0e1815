import { IndexLog, snapshotStoreFromUrl } from '@coldstart/index-log';
import { createRedis } from '@coldstart/queues';
import { createLogger, fatal, type Logger } from '@coldstart/runtime';
import { loadConfig } from './config.js';
import { startSnapshotLoop } from './snapshot-loop.js';
import { WRITER_TOKEN_ENV, type SnapshotterMessage } from './snapshot-process.js';

let logger: Logger | undefined;

/**
 * The writer's snapshotter, forked by worker-index once it holds the writer lease (see
 * snapshot-process.ts for why it is a process of its own). It stops when told (SIGTERM), when
 * its writer is gone (the IPC channel closes) or when its token was fenced off.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-index-snapshotter', level: config.LOG_LEVEL }));
  const fencingToken = process.env[WRITER_TOKEN_ENV];
  if (!fencingToken || !process.send) throw new Error(`the snapshotter is started by worker-index (it needs ${WRITER_TOKEN_ENV} and an IPC channel)`);
  const snapshots = snapshotStoreFromUrl({ url: config.COLDSTART_SNAPSHOTS_S3_URL, endpoint: config.S3_ENDPOINT, region: config.AWS_REGION, logger: log });
  if (!snapshots) throw new Error('the snapshotter needs COLDSTART_SNAPSHOTS_S3_URL');
  const redis = createRedis(config.REDIS_URL, 'worker', log);
  const indexLog = new IndexLog(redis, config.COLDSTART_PREFIX, { writerToken: fencingToken });

  let stopped: Promise<void> | undefined;
  const stop = (reason: string) =>
    (stopped ??= (async () => {
      log.info({ reason }, 'snapshotter stopping');
      await loop.stop();
      await redis.quit().catch(() => undefined);
      process.exit(0);
    })());
  const loop = startSnapshotLoop({
    indexLog,
    store: snapshots,
    policy: { everyMutations: config.SNAPSHOT_EVERY_MUTATIONS, everySeconds: config.SNAPSHOT_EVERY_SECONDS },
    keep: config.SNAPSHOT_KEEP,
    factory: config.INDEX_FACTORY,
    fencingToken,
    logger: log,
    intervalMs: 1_000,
    onFenced: (reason) => {
      process.send?.({ type: 'fenced', reason } satisfies SnapshotterMessage);
      void stop(`fenced: ${reason}`);
    },
  });
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('disconnect', () => void stop('the writer process is gone'));
  log.info({ fencingToken }, 'snapshotting for the writer');
}

main().catch((error: unknown) => fatal(logger, error));
