import { createHash } from 'node:crypto';
import { runScript, type RedisClient } from '@coldstart/config';
import { storeKeys, type StoreKeys } from '@coldstart/index-log';

export interface RecommendedItem {
  itemId: string;
  title: string;
  score: number;
  /** Why the item is there: the topic (or seed) that brought it. */
  reason: string;
  /** The kind of that reason (@coldstart/ranking's Reason['kind']): what attribution counts clicks by. Absent on lists stored before it was kept. */
  reasonKind?: string;
}

/** How the topics came about: the expander, whether an LLM answered, and the user's model variant. */
export interface ExpansionRecord {
  source: string;
  expander: string;
  variant?: string;
  promptVersion?: string;
  /** The experiment the variant belongs to (LLM_EXPERIMENT). */
  experiment?: string;
}

/** What the read API serves for a user (GET /v1/users/{userId}/recommendations). */
export interface RecommendationList {
  userId: string;
  items: RecommendedItem[];
  topics: string[];
  expansion: ExpansionRecord;
  encoder: string;
  generatedAt: string;
  /** The event whose processing produced this list. */
  eventId: string;
  /**
   * This version of the list, for attributing what users do with it: `recommendationIdOf(userId,
   * eventId)`, so a retried write of one event has the same id and every other write another.
   * `put` sets it; `get` fills it in for a list stored before lists carried it.
   */
  recommendationId?: string;
  /** The version of the content → behaviour placement the ranking used; absent while none is fitted. */
  placementVersion?: string;
}

/** The user's expanded interests, kept so an interaction can refresh the list without re-expanding. */
export interface UserProfile {
  userId: string;
  /** The interest categories the user signed up with (absent on profiles stored before they were kept). */
  categories?: string[];
  topics: string[];
  expansion: ExpansionRecord;
  encoder: string;
  dimension: number;
  /** One base64 float32 vector per topic. */
  vectors: string[];
}

// Writes a list at most once per event: a retried job (its worker died after the write but
// before the job was marked done) finds its event recorded and leaves the list alone, so it
// can neither double-count nor overwrite a newer event's list with an older one.
// Writes only if none of the items has been deleted meanwhile; otherwise returns the deleted
// ids so the caller drops them and writes again. Checking here, atomically with the write,
// closes the race with `removeItemEverywhere` (which runs after the delete flag is set).
// The previous list's items are named by the caller (their keys come in KEYS like every other),
// so the script refuses a list that changed since the caller read it, and the caller reads again.
// KEYS: list, list-events, repeat-counter, the new items' records (n), the new items'
// lists-by-item sets (n), the previous items' lists-by-item sets. ARGV: userId, json, eventId,
// sha1 of the previous list as read ('' for none), the new itemIds (n).
const PUT_LIST = `
local n = #ARGV - 4
if redis.call('SISMEMBER', KEYS[2], ARGV[3]) == 1 then
  redis.call('INCR', KEYS[3])
  return {'repeat', {}}
end
local deleted = {}
for i = 1, n do
  if redis.call('HGET', KEYS[3 + i], 'deleted') ~= '0' then table.insert(deleted, ARGV[4 + i]) end
end
if #deleted > 0 then return {'deleted', deleted} end
local previous = redis.call('GET', KEYS[1])
if (previous and redis.sha1hex(previous) or '') ~= ARGV[4] then return {'changed', {}} end
for i = 4 + 2 * n, #KEYS do redis.call('SREM', KEYS[i], ARGV[1]) end
for i = 4 + n, 3 + 2 * n do redis.call('SADD', KEYS[i], ARGV[1]) end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return {'stored', {}}
`;

/** The id of the list version an event wrote for a user (RecommendationList.recommendationId). */
export function recommendationIdOf(userId: string, eventId: string): string {
  return `rec_${createHash('sha256').update(userId).update('\u0000').update(eventId).digest('hex').slice(0, 24)}`;
}

/** The items a stored list names; a list that does not parse names none (it is overwritten whole). */
function listedItemIds(raw: string): string[] {
  try {
    const { items } = JSON.parse(raw) as { items?: unknown };
    if (!Array.isArray(items)) return [];
    return items.map((item: { itemId?: unknown }) => item?.itemId).filter((itemId): itemId is string => typeof itemId === 'string');
  } catch {
    return [];
  }
}

export class RecommendationStore {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = storeKeys(prefix);
  }

  async get(userId: string): Promise<(RecommendationList & { recommendationId: string }) | null> {
    const raw = await this.redis.get(this.keys.recommendations(userId));
    if (raw === null) return null;
    const list = JSON.parse(raw) as RecommendationList;
    return { ...list, recommendationId: list.recommendationId ?? recommendationIdOf(list.userId, list.eventId) };
  }

  /**
   * Stores the list, dropping items deleted since it was computed, and returns the list as
   * stored. An event already written for this user is not written again (see PUT_LIST): the
   * stored list is returned and the repeat counted in `repeatedEvents()`.
   */
  async put(list: RecommendationList): Promise<RecommendationList> {
    const { keys } = this;
    let current: RecommendationList = { ...list, recommendationId: recommendationIdOf(list.userId, list.eventId) };
    for (;;) {
      const previous = await this.redis.get(keys.recommendations(current.userId));
      const itemIds = current.items.map((item) => item.itemId);
      const listKeys = [
        keys.recommendations(current.userId),
        keys.recommendationEvents(current.userId),
        keys.repeatedEvents,
        ...itemIds.map((itemId) => keys.item(itemId)),
        ...itemIds.map((itemId) => keys.listsByItem(itemId)),
        ...(previous === null ? [] : listedItemIds(previous)).map((itemId) => keys.listsByItem(itemId)),
      ];
      const digest = previous === null ? '' : createHash('sha1').update(previous).digest('hex');
      const result = (await runScript(this.redis, PUT_LIST, listKeys, [current.userId, JSON.stringify(current), current.eventId, digest, ...itemIds])) as [
        string,
        string[],
      ];
      if (result[0] === 'stored') return current;
      if (result[0] === 'repeat') return (await this.get(current.userId)) ?? current;
      if (result[0] === 'changed') continue;
      const deleted = new Set(result[1]);
      current = { ...current, items: current.items.filter((item) => !deleted.has(item.itemId)) };
    }
  }

  /**
   * Removes a deleted item from every stored list that holds it. Each list is rewritten in an
   * optimistic transaction, so a concurrent `put` of the same list is never overwritten.
   */
  async removeItemEverywhere(itemId: string): Promise<number> {
    const byItem = this.keys.listsByItem(itemId);
    const userIds = await this.redis.smembers(byItem);
    let updated = 0;
    for (const userId of userIds) {
      const key = this.keys.recommendations(userId);
      for (;;) {
        await this.redis.watch(key);
        const raw = await this.redis.get(key);
        if (raw === null) {
          await this.redis.unwatch();
          break;
        }
        const list = JSON.parse(raw) as RecommendationList;
        const items = list.items.filter((item) => item.itemId !== itemId);
        if (items.length === list.items.length) {
          await this.redis.unwatch();
          break;
        }
        const committed = await this.redis.multi().set(key, JSON.stringify({ ...list, items })).exec();
        if (committed !== null) {
          updated += 1;
          break;
        }
      }
    }
    await this.redis.del(byItem);
    return updated;
  }

  async markSeen(userId: string, itemIds: readonly string[]): Promise<void> {
    if (itemIds.length > 0) await this.redis.sadd(this.keys.seen(userId), ...itemIds);
  }

  async seen(userId: string): Promise<Set<string>> {
    return new Set(await this.redis.smembers(this.keys.seen(userId)));
  }

  /** Remembers that these users were served without a seed item the index did not hold yet. */
  async awaitItems(userId: string, itemIds: readonly string[]): Promise<void> {
    if (itemIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const itemId of itemIds) pipeline.sadd(this.keys.awaitedBy(itemId), userId);
    await pipeline.exec();
  }

  /** The users waiting for an item (see awaitItems). */
  awaiting(itemId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.awaitedBy(itemId));
  }

  /** Stops waiting: called once their lists' rebuilds are queued, so a crash before that loses none. */
  async settleAwaiting(itemId: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length > 0) await this.redis.srem(this.keys.awaitedBy(itemId), ...userIds);
  }

  async putProfile(profile: UserProfile): Promise<void> {
    await this.redis.set(this.keys.profile(profile.userId), JSON.stringify(profile));
  }

  async getProfile(userId: string): Promise<UserProfile | null> {
    const raw = await this.redis.get(this.keys.profile(userId));
    return raw === null ? null : (JSON.parse(raw) as UserProfile);
  }

  /** Writes skipped because their event had been written already (retries after a crash). */
  async repeatedEvents(): Promise<number> {
    return Number((await this.redis.get(this.keys.repeatedEvents)) ?? 0);
  }
}
