import type { RedisClient } from '@coldstart/config';
import { IndexLog } from '@coldstart/index-log';
import { isSeedArrivalEventId } from '@coldstart/pipeline';
import { isFanoutEventId, storeKeys } from '@coldstart/store';

export interface DuplicateWrites {
  /**
   * Users whose list was written for an event that is not one of theirs (their signup, their
   * interactions). The new-item fan-out's rewrites (`fanout:<userId>:<window>`) and the rebuilds
   * when a seed arrives are meant to be extra writes and are not counted; the fan-out's own
   * once-per-window rule is tested in test/fanout.int.test.ts.
   */
  listsForSeveralEvents: number;
  /** Items with more than one upsert in an index's write-ahead log, though each had one event. */
  itemsLoggedTwice: number;
  /** Write-ahead log entries read (fewer than appended if snapshots trimmed the log). */
  walEntriesRead: number;
}

/**
 * Writes that happened more than once for the same event, as far as the stored state can show
 * them. The store refuses a list for an event it has recorded (and counts the refusal), and the
 * catalog refuses a mutation not newer than the one it holds, so anything found here slipped
 * past those guards. A second SET of the same list for the same event leaves no trace of its
 * own; the guards are what rule it out, and their refusal counts are reported beside this.
 */
export async function findDuplicateWrites(redis: RedisClient, prefix: string, eventsOf: ReadonlyMap<string, ReadonlySet<string>>, itemIds: ReadonlySet<string>): Promise<DuplicateWrites> {
  const userIds = [...eventsOf.keys()];
  const keys = storeKeys(prefix);
  let listsForSeveralEvents = 0;
  for (let i = 0; i < userIds.length; i += 1000) {
    const batch = userIds.slice(i, i + 1000);
    // Command by command (the client pipelines them per node): each user's list events are in the user's own slot.
    const eventSets = await Promise.all(batch.map((userId) => redis.smembers(keys.recommendationEvents(userId))));
    for (const [j, events] of eventSets.entries()) {
      const own = eventsOf.get(batch[j] as string);
      const foreign = events.filter((eventId) => !isFanoutEventId(eventId) && !isSeedArrivalEventId(eventId) && !own?.has(eventId));
      if (foreign.length > 0) listsForSeveralEvents++;
    }
  }

  const indexLog = new IndexLog(redis, prefix);
  let itemsLoggedTwice = 0;
  let walEntriesRead = 0;
  for (const index of await indexLog.indexNames()) {
    const upserts = new Map<string, number>();
    for (let after = '0'; ; ) {
      const entries = await indexLog.readWal(index, after, 5_000);
      if (entries.length === 0) break;
      walEntriesRead += entries.length;
      for (const entry of entries) if (entry.op === 'upsert' && itemIds.has(entry.itemId)) upserts.set(entry.itemId, (upserts.get(entry.itemId) ?? 0) + 1);
      after = entries[entries.length - 1]?.id ?? after;
    }
    for (const count of upserts.values()) if (count > 1) itemsLoggedTwice++;
  }
  return { listsForSeveralEvents, itemsLoggedTwice, walEntriesRead };
}
