import type { Placement } from '@coldstart/behaviour';
import { decodeVectorBase64 } from '@coldstart/embeddings';
import { userIndexName, type IndexLog, type ReplicaSet } from '@coldstart/index-log';
import { PermanentError } from '@coldstart/queues';
import type { FanoutStore, RecommendationStore } from '@coldstart/store';
import {
  closestTopic,
  delayUntilDue,
  fanoutEventId,
  fanoutWindow,
  labelNewItems,
  selectFanoutUsers,
  shouldWidenSearch,
  type FanoutSettings,
  type UserHit,
} from './select.js';
import type { QueueHandlers } from '../catalog.js';
import type { Hops } from '../graph.js';
import type { BuildList } from '../recommend/handler.js';

export interface FanoutDeps {
  /** The pool's replicas: item indexes, and the user-vector indexes (`users@<encoder>`). */
  replicas: ReplicaSet;
  indexLog: Pick<IndexLog, 'indexNames' | 'userIndexNames' | 'userActivity'>;
  recommendations: Pick<RecommendationStore, 'get' | 'getProfile' | 'put'>;
  fanout: Pick<FanoutStore, 'record' | 'take' | 'settle'>;
  /** The ranking recommend-user and refresh-user use (makeListBuilder). */
  buildList: BuildList;
  /** An item's vector in an encoder's item index (for the `new in <topic>` reason). */
  itemVector: (encoder: string, itemId: string) => Float32Array | undefined;
  /** The content → behaviour placement of an encoder's index (the list builder's); the fan-out also reaches the readers of the books a new item is placed among. */
  placement?: (encoder: string) => Placement | undefined;
  /** Schedules a user's delayed rewrite (graph.ts: fanout-item → fanout-user). */
  schedule: Hops['fanOutToUser'];
  settings: FanoutSettings;
  now?: () => number;
}

/**
 * New-item fan-out. `fanout-item` (one per applied item upsert) finds the recently active users
 * whose interest vectors are closest to the item in the user-vector index, and to its predicted
 * place (Placement.placeVector: the books its readers are predicted to read), records the item as
 * pending for each and schedules one delayed `fanout-user` job per (user, window): a burst of
 * items within a window adds to the same job, so the user's list is rewritten once. That job
 * rebuilds the list with buildList and writes it only if a pending item now ranks in the top N
 * and was not in the stored list already; those items carry the reason `new in <topic>`. The
 * write's eventId is `fanout:<userId>:<window>`, so a retried rewrite is absorbed by the store.
 */
export function makeFanoutHandlers(deps: FanoutDeps): Pick<QueueHandlers<'recommend'>, 'fanout-item' | 'fanout-user'> {
  const now = deps.now ?? Date.now;
  const { settings } = deps;

  /** Nearest qualifying users; widens the search while inactive users may hide active ones. */
  async function usersNear(index: string, vector: Float32Array): Promise<UserHit[]> {
    const replica = deps.replicas.forIndex(index);
    const size = replica.index?.size ?? 0;
    const activeSinceMs = now() - settings.activeWithinMs;
    for (let k = Math.min(size, settings.maxUsers * 4); ; k = Math.min(size, k * 4)) {
      const hits = replica.index?.search(vector, k) ?? [];
      const close = hits.filter((hit) => hit.score >= settings.minSimilarity);
      const lastActive = await deps.indexLog.userActivity(index, close.map((hit) => hit.id));
      const chosen = selectFanoutUsers(close, lastActive, { ...settings, activeSinceMs });
      if (!shouldWidenSearch(hits, k, chosen.length, settings, size)) return chosen;
    }
  }

  return {
    'fanout-item': async (data) => {
      if (settings.maxUsers === 0) return { itemId: data.itemId, outcome: 'disabled', users: 0 };
      if (!(await deps.indexLog.indexNames()).includes(data.encoder)) {
        throw new PermanentError(`item ${data.itemId} was embedded by encoder "${data.encoder}", which has no item index`);
      }
      let vector: Float32Array;
      try {
        vector = decodeVectorBase64(data.vector, data.dimension);
      } catch (error) {
        throw new PermanentError(`item ${data.itemId}'s vector: ${(error as Error).message}`, { cause: error });
      }
      const index = userIndexName(data.encoder);
      // No user has been recorded for this encoder yet: nobody to tell. (Checked before opening a
      // replica, so the pool never keeps, and reports the lag of, a replica of a log not yet begun.)
      if (!(await deps.indexLog.userIndexNames()).includes(index)) return { itemId: data.itemId, outcome: 'no-users', users: 0 };
      const replica = deps.replicas.forIndex(index);
      await replica.catchUp();
      if (!replica.index || !replica.space || replica.index.size === 0) return { itemId: data.itemId, outcome: 'no-users', users: 0 };
      if (replica.space.dimension !== data.dimension) {
        throw new PermanentError(`item ${data.itemId} has a ${data.dimension}-dimensional ${data.encoder} vector but the ${index} index holds ${replica.space.dimension}-dimensional ones`);
      }
      // Users whose interests read like the item, and (with a placement) the readers of the books it is placed among.
      const place = deps.placement?.(data.encoder)?.placeVector(vector);
      const near = await usersNear(index, vector);
      const placed = place ? await usersNear(index, place) : [];
      const merged = new Map<string, UserHit>();
      for (let i = 0; i < Math.max(near.length, placed.length); i++) for (const hit of [near[i], placed[i]]) if (hit && !merged.has(hit.id)) merged.set(hit.id, hit);
      const users = [...merged.values()].slice(0, settings.maxUsers);
      const at = now();
      const proposed = fanoutWindow(at, settings.windowMs);
      for (const { id: userId } of users) {
        const window = await deps.fanout.record(userId, [data.itemId], proposed);
        await deps.schedule({ userId, window }, { key: fanoutEventId(userId, window), delayMs: delayUntilDue(window, settings.windowMs, at) });
      }
      return { itemId: data.itemId, outcome: users.length > 0 ? 'fanned-out' : 'no-users', users: users.length };
    },

    'fanout-user': async (data) => {
      const { userId, window } = data;
      const pending = await deps.fanout.take(userId, window);
      if (pending.length === 0) return { userId, outcome: 'nothing-pending', newItems: [] };
      const profile = await deps.recommendations.getProfile(userId);
      if (!profile) {
        await deps.fanout.settle(userId, window, pending);
        return { userId, outcome: 'no-profile', newItems: [] };
      }
      const [previous, built] = await Promise.all([deps.recommendations.get(userId), deps.buildList(profile, fanoutEventId(userId, window))]);
      const listed = new Set(previous?.items.map((item) => item.itemId));
      const waiting = new Set(pending);
      // Only an item that enters the list is news; one already listed (an updated item) is not.
      const newItems = new Set(built.items.filter((item) => waiting.has(item.itemId) && !listed.has(item.itemId)).map((item) => item.itemId));
      if (newItems.size === 0) {
        await deps.fanout.settle(userId, window, pending);
        return { userId, outcome: 'unchanged', newItems: [] };
      }
      const topics = profile.topics.flatMap((topic, i) => {
        const encoded = profile.vectors[i];
        return encoded ? [{ topic, vector: decodeVectorBase64(encoded, profile.dimension) }] : [];
      });
      const list = labelNewItems(built, newItems, (itemId) => {
        const vector = deps.itemVector(profile.encoder, itemId);
        return vector ? closestTopic(topics, vector) : undefined;
      });
      // put drops items deleted since the build; a retry after a crash finds this event written.
      const stored = await deps.recommendations.put(list);
      await deps.fanout.settle(userId, window, pending);
      return { userId, outcome: 'stored', newItems: stored.items.filter((item) => newItems.has(item.itemId)).map((item) => item.itemId) };
    },
  };
}
