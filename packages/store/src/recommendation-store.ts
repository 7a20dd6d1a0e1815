import type { Redis } from 'ioredis';
import { storeKeys, type StoreKeys } from '@coldstart/index-log';

export interface RecommendedItem {
  itemId: string;
  title: string;
  score: number;
  /** Why the item is there: the topic (or seed) that brought it. */
  reason: string;
}

/** How the topics came about: the expander, whether an LLM answered, and the user's model variant. */
export interface ExpansionRecord {
  source: string;
  expander: string;
  variant?: string;
  promptVersion?: string;
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
}

/** The user's expanded interests, kept so an interaction can refresh the list without re-expanding. */
export interface UserProfile {
  userId: string;
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
// KEYS: list, list-events, repeat-counter. ARGV: prefix, userId, json, eventId, itemIds...
const PUT_LIST = `
if redis.call('SISMEMBER', KEYS[2], ARGV[4]) == 1 then
  redis.call('INCR', KEYS[3])
  return {'repeat', {}}
end
local deleted = {}
for i = 5, #ARGV do
  local flag = redis.call('HGET', ARGV[1] .. ':item:' .. ARGV[i], 'deleted')
  if flag ~= '0' then table.insert(deleted, ARGV[i]) end
end
if #deleted > 0 then return {'deleted', deleted} end
local previous = redis.call('GET', KEYS[1])
if previous then
  local ok, old = pcall(cjson.decode, previous)
  if ok and type(old) == 'table' and type(old.items) == 'table' then
    for _, item in ipairs(old.items) do
      redis.call('SREM', ARGV[1] .. ':recs-by-item:' .. item.itemId, ARGV[2])
    end
  end
end
for i = 5, #ARGV do
  redis.call('SADD', ARGV[1] .. ':recs-by-item:' .. ARGV[i], ARGV[2])
end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
return {'stored', {}}
`;

export class RecommendationStore {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.keys = storeKeys(prefix);
  }

  async get(userId: string): Promise<RecommendationList | null> {
    const raw = await this.redis.get(this.keys.recommendations(userId));
    return raw === null ? null : (JSON.parse(raw) as RecommendationList);
  }

  /**
   * Stores the list, dropping items deleted since it was computed, and returns the list as
   * stored. An event already written for this user is not written again (see PUT_LIST): the
   * stored list is returned and the repeat counted in `repeatedEvents()`.
   */
  async put(list: RecommendationList): Promise<RecommendationList> {
    let current = list;
    for (;;) {
      const result = (await this.redis.eval(
        PUT_LIST,
        3,
        this.keys.recommendations(current.userId),
        this.keys.recommendationEvents(current.userId),
        this.keys.repeatedEvents,
        this.prefix,
        current.userId,
        JSON.stringify(current),
        current.eventId,
        ...current.items.map((item) => item.itemId),
      )) as [string, string[]];
      if (result[0] === 'stored') return current;
      if (result[0] === 'repeat') return (await this.get(current.userId)) ?? current;
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
