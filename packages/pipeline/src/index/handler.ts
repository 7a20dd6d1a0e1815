import type { BehaviourLog } from '@coldstart/behaviour';
import { decodeWalVector, VectorSpaceMismatchError, type IndexLog } from '@coldstart/index-log';
import { PermanentError } from '@coldstart/queues';
import type { CatalogStore, RecommendationStore } from '@coldstart/store';
import type { QueueHandlers } from '../catalog.js';
import { EmbeddedItem } from '../embed/jobs.js';
import { seedArrivalEventId } from '../seed-wait.js';
import type { Hops } from '../graph.js';
import { settleEach } from '../settle-each.js';
import type { UpsertUserVectorData, UserVectorOutcome } from './jobs.js';

export interface IndexDeps {
  catalog: Pick<CatalogStore, 'upsert' | 'delete'>;
  /** The user-vector indexes' log, written under the same fencing token as `catalog`. */
  indexLog: Pick<IndexLog, 'upsertUserVector'>;
  recommendations: Pick<RecommendationStore, 'removeItemEverywhere' | 'awaiting' | 'settleAwaiting'>;
  /** The behaviour log, under the same token: a deleted item leaves the behaviour model too. */
  behaviour?: Pick<BehaviourLog, 'forget'>;
  /** Hands an applied item upsert to the recommend pool's new-item fan-out (graph.ts); omitted: no fan-out. */
  fanOut?: Hops['fanOutItem'];
  /** Rebuilds the list of a user served before this item (one of their seeds) was indexed. */
  seedArrived: Hops['seedArrived'];
  /** Where a user whose vector fails in a batch goes on alone (settle-each.ts). */
  recordUserVectors: Hops['recordUserVectors'];
}

/**
 * The index pool writes the catalog of record and its write-ahead log; recommend replicas
 * apply the log to their FAISS indexes. Ordering per item is by the event's occurredAt. One
 * process at a time is the writer (the others stand by): `catalog` and `indexLog` carry its fencing token,
 * and a deposed writer's append throws FencedWriterError, which is retryable, so the job goes
 * back to the queue for the current writer. The user-vector indexes (`users@<encoder>`) are
 * written the same way, by the same writer.
 */
export function makeIndexHandlers(deps: IndexDeps): Pick<QueueHandlers<'index'>, 'upsert-item' | 'delete-item' | 'upsert-user-vector'> {
  /** The item is searchable now: rebuild the lists of users who named it before it was. */
  async function rebuildAwaiting(itemId: string, eventId: string, occurredAt: string): Promise<void> {
    const users = await deps.recommendations.awaiting(itemId);
    for (const userId of users) {
      await deps.seedArrived({ eventId: seedArrivalEventId(eventId, userId), occurredAt, userId, itemId });
    }
    await deps.recommendations.settleAwaiting(itemId, users);
  }

  async function upsertUserVector(data: UpsertUserVectorData): Promise<UserVectorOutcome> {
    // A vector that does not decode would stop every replica's replay at its entry: refuse it here.
    try {
      decodeWalVector(`for user ${data.userId}`, data.vector, data.dimension);
    } catch (error) {
      throw new PermanentError(`user ${data.userId}'s ${data.encoder} vector: ${(error as Error).message}`, { cause: error });
    }
    try {
      return { userId: data.userId, ...(await deps.indexLog.upsertUserVector(data)) };
    } catch (error) {
      if (error instanceof VectorSpaceMismatchError) throw new PermanentError(error.message, { cause: error });
      throw error;
    }
  }

  return {
    'upsert-item': async (data, { childResults }) => {
      const [embedded] = await childResults(EmbeddedItem);
      if (!embedded) throw new PermanentError(`upsert of item ${data.item.itemId} has no vector`);
      try {
        const result = await deps.catalog.upsert({ item: data.item, occurredAt: data.occurredAt, eventId: data.eventId, ...embedded });
        // Only an applied upsert is news: a stale one lost to a newer version of the item, whose
        // own upsert fans out. A retried job re-applies (same version) and re-adds the same job id.
        if (result.outcome === 'applied' && deps.fanOut) {
          await deps.fanOut({ eventId: data.eventId, occurredAt: data.occurredAt, itemId: data.item.itemId, ...embedded });
        }
        if (result.outcome === 'applied') await rebuildAwaiting(data.item.itemId, data.eventId, data.occurredAt);
        return { itemId: data.item.itemId, ...result, listsUpdated: 0 };
      } catch (error) {
        if (error instanceof VectorSpaceMismatchError) throw new PermanentError(error.message, { cause: error });
        throw error;
      }
    },
    'delete-item': async (data) => {
      const result = await deps.catalog.delete(data);
      // Runs again on a retried job: the delete flag is already set, so this is idempotent.
      const listsUpdated = result.outcome === 'applied' ? await deps.recommendations.removeItemEverywhere(data.itemId) : 0;
      // A forget the model already applied is a no-op, so a retry may log it again.
      if (result.outcome === 'applied') await deps.behaviour?.forget(data.itemId);
      return { itemId: data.itemId, ...result, listsUpdated };
    },
    'upsert-user-vector': async (data, context) => {
      const logged = await settleEach('upsert-user-vector', data.users, upsertUserVector, async (user, error) => {
        context.logger.warn({ userId: user.userId, eventId: user.eventId, err: error }, 'this user\'s vector failed in a batch; it goes on in a job of its own');
        await deps.recordUserVectors({ eventId: user.eventId, users: [user] });
      });
      return { users: logged.map(({ result }) => result) };
    },
  };
}
