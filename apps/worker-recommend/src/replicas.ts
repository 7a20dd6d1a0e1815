import type { RedisClient } from '@coldstart/config';
import { BehaviourLog, BehaviourReplica, PlacementRefit, type ItemVectors } from '@coldstart/behaviour';
import { IndexLog, isUserIndexName, ReplicaSet, type SnapshotStore } from '@coldstart/index-log';
import type { PoolReadiness } from '@coldstart/queues';
import type { ItemRecordCache } from '@coldstart/store';
import { check, repeatEvery, type Logger } from '@coldstart/runtime';
import type { RecommendConfig } from './config.js';
import { replicaLag, reportReplicaLag } from './replica-lag.js';
import { reportSearchCache } from './search-cache-metrics.js';

/** How often the behaviour replica reads the log's new entries between jobs (and the placement checks whether a refit is due). */
const BEHAVIOUR_TAIL_MS = 1_000;

/**
 * The pool's read replicas, loaded before it is ready: every item index and user-vector index
 * (new-item fan-out) from its newest snapshot and log, and the behaviour model from its log,
 * with the content → behaviour placement refitted on it in the background.
 * Ready once each has replayed its log (before that a search would miss items); the readiness
 * check shows each index replica's lag.
 */
export async function loadReplicas(
  redis: RedisClient,
  config: RecommendConfig,
  snapshots: SnapshotStore | undefined,
  readiness: PoolReadiness,
  log: Logger,
  /** What the process caches about items (their catalog records), told of every change the replicas apply. */
  itemRecords: Pick<ItemRecordCache, 'forget' | 'forgetAll'>,
) {
  const indexLog = new IndexLog(redis, config.COLDSTART_PREFIX);
  // Only item indexes say anything about items: a user-vector index's entries (one per list
  // stored, with the fan-out on) would only make the cache forget for nothing.
  const replicas = new ReplicaSet(indexLog, {
    snapshots,
    searchCache: config.SEARCH_CACHE_ANSWERS,
    logger: log,
    onApplied: (entry, index) => {
      if (!isUserIndexName(index)) itemRecords.forget(entry.itemId);
    },
    onRestart: (index) => {
      if (!isUserIndexName(index)) itemRecords.forgetAll();
    },
  });
  for (const index of [...(await indexLog.indexNames()), ...(await indexLog.userIndexNames())]) {
    const started = Date.now();
    const replica = replicas.forIndex(index);
    await replica.catchUp();
    log.info({ index, vectors: replica.index?.size ?? 0, walPosition: replica.position, snapshotId: replica.startedFrom, loadMs: Date.now() - started }, 'replica loaded');
  }
  const behaviour = new BehaviourReplica(new BehaviourLog(redis, config.COLDSTART_PREFIX), {
    maxNeighbours: config.BEHAVIOUR_MAX_NEIGHBOURS,
    halfLifeMs: config.BEHAVIOUR_HALF_LIFE_DAYS * 86_400_000,
  });
  const started = Date.now();
  await behaviour.catchUp();
  log.info({ interactions: behaviour.model.interactions, items: behaviour.model.items, loadMs: Date.now() - started }, 'behaviour model loaded');
  const placements = new PlacementRefit(behaviour.model);
  // Each item index is followed in the background too, so the placement is fitted on (and
  // places) every item indexed so far, including encoders that appeared after start.
  const refitPlacements = async () => {
    const itemIndexes = new Map<string, ItemVectors>();
    for (const name of await indexLog.indexNames()) {
      const replica = replicas.forEncoder(name);
      await replica.catchUp();
      if (replica.index) itemIndexes.set(name, replica.index);
    }
    for (const fit of placements.tick(itemIndexes, Date.now())) log.info(fit, fit.version ? 'placement fitted' : 'placement not fitted: too few items with enough likes yet');
  };
  // Followed in the background too, so a burst of likes (an import) is replayed between jobs
  // rather than by the first list after it; each list still catches up before it ranks.
  const tail = repeatEvery(BEHAVIOUR_TAIL_MS, () =>
    behaviour
      .catchUp()
      .then(refitPlacements)
      .catch((error: unknown) => log.debug({ err: error }, 'behaviour log tail failed; the next list catches up (and fails with the reason, if it persists)')),
  );
  process.once('SIGTERM', () => void tail.stop());
  reportReplicaLag(redis, config.COLDSTART_PREFIX, replicas);
  reportSearchCache(replicas);
  readiness.add(() =>
    check('replicas', async () => {
      const lags = await Promise.all(replicas.all().map((replica) => replicaLag(redis, config.COLDSTART_PREFIX, replica)));
      return Object.fromEntries(lags.map((lag) => [lag.index, { lagEntries: lag.entries, lagSeconds: lag.seconds, position: lag.position, snapshot: lag.snapshot ?? null }]));
    }),
  );
  return { indexLog, replicas, behaviour, placement: (encoder: string) => placements.current(encoder) };
}
