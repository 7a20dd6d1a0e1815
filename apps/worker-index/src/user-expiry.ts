import { FencedWriterError, type IndexLog } from '@coldstart/index-log';
import type { Logger } from '@coldstart/runtime';
import { repeatEvery } from '@coldstart/runtime';

export interface UserExpiryDeps {
  /** The writer's index log (it carries the fencing token). */
  indexLog: Pick<IndexLog, 'userIndexNames' | 'expireInactiveUsers'>;
  /** Users last active longer ago than this leave the user-vector indexes. */
  ttlSeconds: number;
  /** Users removed per script call, so one call never holds Redis long. */
  batch: number;
  now?: () => number;
}

/**
 * One sweep over every user-vector index: removes the users last active more than `ttlSeconds`
 * ago, `batch` at a time until none are left. Without it the index, its log and the replicas
 * that hold it would grow with every user ever served, though the fan-out only looks at users
 * active within its window. Returns the number removed per index.
 */
export async function expireInactiveUsers(deps: UserExpiryDeps): Promise<Map<string, number>> {
  const cutoffMs = (deps.now?.() ?? Date.now()) - deps.ttlSeconds * 1000;
  const removed = new Map<string, number>();
  for (const index of await deps.indexLog.userIndexNames()) {
    let total = 0;
    for (;;) {
      const userIds = await deps.indexLog.expireInactiveUsers(index, cutoffMs, deps.batch);
      total += userIds.length;
      if (userIds.length < deps.batch) break;
    }
    removed.set(index, total);
  }
  return removed;
}

/** The writer's periodic sweep (see expireInactiveUsers); stops on `stop()` or when fenced off. */
export function startUserExpiry(deps: UserExpiryDeps & { intervalMs: number; logger: Logger; onFenced: (reason: string) => void }): { stop(): Promise<void> } {
  return repeatEvery(deps.intervalMs, async () => {
    try {
      const removed = await expireInactiveUsers(deps);
      for (const [index, count] of removed) if (count > 0) deps.logger.info({ index, users: count, ttlSeconds: deps.ttlSeconds }, 'inactive users removed from the user-vector index');
    } catch (error) {
      if (error instanceof FencedWriterError) {
        deps.onFenced(error.message);
        return 'stop';
      }
      deps.logger.error({ err: error }, 'inactive-user sweep failed; retrying on the next round');
    }
  });
}
