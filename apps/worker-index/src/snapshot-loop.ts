import { FencedWriterError, Snapshotter, WalReplica, type IndexLog, type SnapshotPolicy, type SnapshotStore } from '@coldstart/index-log';
import type { Logger } from '@coldstart/runtime';
import { repeatEvery } from '@coldstart/runtime';

export interface SnapshotLoopDeps {
  /** The writer's index log (it carries the fencing token). */
  indexLog: Pick<IndexLog, 'readWal' | 'walBounds' | 'indexNames' | 'userIndexNames' | 'trimWal' | 'assertCurrentWriter'>;
  store: SnapshotStore;
  policy: SnapshotPolicy;
  /** Snapshots kept per index; the log is trimmed below the oldest kept one. */
  keep: number;
  factory: string;
  fencingToken: string;
  logger: Logger;
  /** How often each index is checked (the policy decides whether a snapshot is due). */
  intervalMs: number;
  onFenced: (reason: string) => void;
}

/**
 * The writer's snapshotter: one replica per index (item and user-vector indexes alike), fed
 * from the writer's own log (so it also starts from the newest snapshot), snapshotted when the
 * policy says so. Runs until `stop()`; a failed round is logged and retried on the next one.
 */
export function startSnapshotLoop(deps: SnapshotLoopDeps): { stop(): Promise<void> } {
  const snapshotters = new Map<string, Snapshotter>();
  const snapshotterFor = (index: string) => {
    let snapshotter = snapshotters.get(index);
    if (!snapshotter) {
      const replica = new WalReplica(deps.indexLog, index, { snapshots: deps.store, factory: deps.factory, logger: deps.logger });
      snapshotter = new Snapshotter({
        replica,
        store: deps.store,
        policy: deps.policy,
        fencingToken: deps.fencingToken,
        fence: () => deps.indexLog.assertCurrentWriter(),
        retention: { keep: deps.keep, trimWal: (name, minId) => deps.indexLog.trimWal(name, minId) },
        logger: deps.logger,
      });
      snapshotters.set(index, snapshotter);
    }
    return snapshotter;
  };

  const round = async () => {
    // The user-vector indexes are snapshotted and trimmed like the item indexes: their logs grow
    // with every list written, and replicas start from their snapshots too.
    const indexes = [...(await deps.indexLog.indexNames()), ...(await deps.indexLog.userIndexNames())];
    for (const index of indexes) {
      try {
        await snapshotterFor(index).tick();
      } catch (error) {
        if (error instanceof FencedWriterError) return deps.onFenced(error.message);
        deps.logger.error({ index, err: error }, 'snapshot failed; retrying on the next round');
      }
    }
  };
  return repeatEvery(deps.intervalMs, () => round().catch((error: unknown) => deps.logger.error({ err: error }, 'snapshot round failed')));
}
