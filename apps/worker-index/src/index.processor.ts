import { EmbeddedItem, PermanentError, type PoolHandlers } from '@coldstart/queues';
import { VectorSpaceMismatchError, type CatalogStore, type RecommendationStore } from '@coldstart/store';

export interface IndexDeps {
  catalog: Pick<CatalogStore, 'upsert' | 'delete'>;
  recommendations: Pick<RecommendationStore, 'removeItemEverywhere'>;
}

/**
 * The index pool writes the catalog of record and its write-ahead log; recommend replicas
 * apply the log to their FAISS indexes. Ordering per item is by the event's occurredAt. One
 * process at a time is the writer (the others stand by): `catalog` carries its fencing token,
 * and a deposed writer's append throws FencedWriterError, which is retryable, so the job goes
 * back to the queue for the current writer.
 */
export function makeIndexHandlers(deps: IndexDeps): PoolHandlers<'index'> {
  return {
    'upsert-item': async (data, { childResults }) => {
      const [embedded] = await childResults(EmbeddedItem);
      if (!embedded) throw new PermanentError(`upsert of item ${data.item.itemId} has no vector`);
      try {
        const result = await deps.catalog.upsert({ item: data.item, occurredAt: data.occurredAt, eventId: data.eventId, ...embedded });
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
      return { itemId: data.itemId, ...result, listsUpdated };
    },
  };
}
