import { createHash } from 'node:crypto';
import { runScript, type RedisClient } from '@coldstart/config';
import { storeKeys, type StoreKeys } from '@coldstart/index-log';
import { CLAIM_ITEMS, RELEASE_AND_CHECK, REPLACE_LIST, STORE_LIST } from './list-scripts.js';

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

/** The id of the list version an event wrote for a user (RecommendationList.recommendationId). */
export function recommendationIdOf(userId: string, eventId: string): string {
  return `rec_${createHash('sha256').update(userId).update('\u0000').update(eventId).digest('hex').slice(0, 24)}`;
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function withoutItems<L extends RecommendationList>(list: L, itemIds: readonly string[]): L {
  const gone = new Set(itemIds);
  return { ...list, items: list.items.filter((item) => !gone.has(item.itemId)) };
}

/** A stored list, or null for one that does not parse as a list (a corrupted key). */
function parsedList(raw: string): RecommendationList | null {
  try {
    const list = JSON.parse(raw) as RecommendationList;
    return Array.isArray(list?.items) ? list : null;
  } catch {
    return null;
  }
}

/** The items a stored list names; a list that does not parse names none (it is overwritten whole). */
function listedItemIds(raw: string): string[] {
  const items: { itemId?: unknown }[] = parsedList(raw)?.items ?? [];
  return items.map((item) => item?.itemId).filter((itemId): itemId is string => typeof itemId === 'string');
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
   * stored. An event already written for this user is not written again (STORE_LIST): the
   * stored list is returned and the repeat counted in `repeatedEvents()`. The three steps and
   * why no deleted item stays in a list: list-scripts.ts.
   */
  async put(list: RecommendationList): Promise<RecommendationList> {
    const { keys } = this;
    const { userId } = list;
    let current: RecommendationList = { ...list, recommendationId: recommendationIdOf(userId, list.eventId) };
    for (;;) {
      const [previous = null, storedVersion = null] = await this.redis.mget(keys.recommendations(userId), keys.listVersion(userId));
      const version = Number(storedVersion ?? 0) + 1;
      const itemIds = current.items.map((item) => item.itemId);
      const [claim, detail] = (await runScript(
        this.redis,
        CLAIM_ITEMS,
        [keys.catalogDeletes, ...itemIds.map((itemId) => keys.item(itemId)), ...itemIds.map((itemId) => keys.listsByItem(itemId))],
        [userId, version, ...itemIds],
      )) as ['deleted', string[]] | ['claimed', string];
      if (claim === 'deleted') {
        current = withoutItems(current, detail);
        continue;
      }
      const digest = previous === null ? '' : sha1(previous);
      const outcome = await runScript(
        this.redis,
        STORE_LIST,
        [keys.recommendations(userId), keys.recommendationEvents(userId), keys.listVersion(userId)],
        [JSON.stringify(current), current.eventId, digest, version],
      );
      if (outcome === 'changed') continue;
      if (outcome === 'repeat') {
        await this.redis.incr(keys.repeatedEvents);
        const stored = await this.get(userId);
        // The attempt that stored it may have died before its check (step 3): check it now, whatever the count.
        return stored === null ? current : this.withoutDeletedSince(stored, [], version, '');
      }
      const kept = new Set(itemIds);
      const released = previous === null ? [] : listedItemIds(previous).filter((itemId) => !kept.has(itemId));
      // Nothing to release and no delete since the check: nothing to do (one GET instead of the script).
      if (released.length === 0 && ((await this.redis.get(keys.catalogDeletes)) ?? '0') === detail) return current;
      return this.withoutDeletedSince(current, released, version, detail);
    }
  }

  /**
   * Step 3 (RELEASE_AND_CHECK) for a stored list: the list without the items deleted since it was
   * checked (`deletesSeen`: the catalog's count of deletes then; '' when unknown).
   */
  private async withoutDeletedSince<L extends RecommendationList>(stored: L, released: readonly string[], version: number, deletesSeen: string): Promise<L> {
    const { keys } = this;
    const itemIds = stored.items.map((item) => item.itemId);
    const deleted = (await runScript(
      this.redis,
      RELEASE_AND_CHECK,
      [keys.catalogDeletes, ...released.map((itemId) => keys.listsByItem(itemId)), ...itemIds.map((itemId) => keys.item(itemId))],
      [stored.userId, version, released.length, deletesSeen, ...itemIds],
    )) as string[];
    if (deleted.length === 0) return stored;
    return ((await this.removeItems(stored.userId, deleted))?.list ?? withoutItems(stored, deleted)) as L;
  }

  /**
   * Takes items out of a user's stored list, without overwriting a list written meanwhile
   * (REPLACE_LIST, read again when it changed). Returns the list as it is now (null: none, or one
   * that does not parse, which names no item and is overwritten whole by the user's next list),
   * and whether this call changed it.
   */
  private async removeItems(userId: string, itemIds: readonly string[]): Promise<{ list: RecommendationList; removed: boolean } | null> {
    const key = this.keys.recommendations(userId);
    const gone = new Set(itemIds);
    for (;;) {
      const raw = await this.redis.get(key);
      const list = raw === null ? null : parsedList(raw);
      if (raw === null || list === null) return null;
      if (!list.items.some((item) => gone.has(item.itemId))) return { list, removed: false };
      const kept = withoutItems(list, itemIds);
      if ((await runScript(this.redis, REPLACE_LIST, [key], [JSON.stringify(kept), sha1(raw)])) === 1) return { list: kept, removed: true };
    }
  }

  /**
   * Takes out of a user's stored list the items deleted since it was stored; returns how many.
   * For a list that reaches its key by another way than `put` (`coldstart keys migrate` moving it
   * from its old name, where a delete meanwhile could not find it).
   */
  async dropDeletedItems(userId: string): Promise<number> {
    const raw = await this.redis.get(this.keys.recommendations(userId));
    const stored = raw === null ? null : parsedList(raw);
    if (stored === null) return 0;
    const kept = await this.withoutDeletedSince(stored, [], 0, '');
    return stored.items.length - kept.items.length;
  }

  /**
   * Removes a deleted item from every stored list that may hold it (the users its by-item sets
   * name, the versioned one and the plain set versions before 2026-12-07 kept), then the sets.
   * Runs after the item's delete flag is set (list-scripts.ts says why that leaves no list with it).
   */
  async removeItemEverywhere(itemId: string): Promise<number> {
    const { keys } = this;
    const [versioned, legacy] = await Promise.all([this.redis.zrange(keys.listsByItem(itemId), 0, -1), this.redis.smembers(keys.legacyListsByItem(itemId))]);
    let updated = 0;
    for (const userId of new Set([...versioned, ...legacy])) {
      if ((await this.removeItems(userId, [itemId]))?.removed) updated += 1;
    }
    await this.redis.del(keys.listsByItem(itemId), keys.legacyListsByItem(itemId));
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
