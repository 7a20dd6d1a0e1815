import type { RedisClient } from '@coldstart/config';
import { FencedStore, fencedLogScript } from '@coldstart/index-log';
import { decodeBehaviourEntry, type BehaviourEntry } from './behaviour-entry.js';

/** One interaction as the writer learns it. */
export interface Interaction {
  /** What makes it unique: a redelivered or re-imported interaction with the same id counts once. */
  eventId: string;
  userId: string;
  itemId: string;
  /** 1–5 stars; none means a positive signal (a click, a purchase). */
  rating?: number | undefined;
  /** When it happened (ms since the epoch). */
  atMs: number;
}

export interface LearnSettings {
  /** Ratings at or above count as a like; below only as seen. */
  positiveRating: number;
  /** A like co-occurs with at most this many of the user's most recent earlier likes: cost per event is bounded. */
  historyItems: number;
  /** How long an interaction's eventId is remembered (a later repeat of a like is still caught by user and item). */
  eventTtlSeconds: number;
}

export const DEFAULT_LEARN_SETTINGS: LearnSettings = Object.freeze({ positiveRating: 4, historyItems: 50, eventTtlSeconds: 30 * 86_400 });

/** `learned`: a like was logged; `duplicate`: the eventId was seen; `repeat`: the user had liked the item already; `negative`: below the threshold. */
export type LearnOutcome = 'learned' | 'duplicate' | 'repeat' | 'negative';

// KEYS: the behaviour log, its meta, then per interaction its event marker, the user's liked set,
// the user's recent likes and the item's catalog record. ARGV: history items, event ttl, then per
// interaction its userId, itemId, at ms and positive (1/0). Interactions are learned in
// order, each as if alone: its dedupe, the user's history and its log entry change together (a
// later one of the same user sees the earlier one's like). The fence makes the index pool's
// writer its only caller. One call takes many interactions because the per-call cost (argument
// parsing, the fence check, the client's command) was most of an interaction's; LEARN_CHUNK
// bounds how long one call holds Redis.
const LEARN = fencedLogScript(`
local history = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local outcomes = {}
for i = 0, (#KEYS - 3) / 4 - 1 do
  local k, a = 2 + i * 4, 2 + i * 4
  local eventKey, likedKey, recentKey, itemKey = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4]
  local userId, itemId, at, positive = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local outcome = 'learned'
  if redis.call('EXISTS', eventKey) == 1 then
    outcome = 'duplicate'
  else
    redis.call('SET', eventKey, '1', 'EX', ttl)
    if positive ~= '1' then
      outcome = 'negative'
    elseif redis.call('SADD', likedKey, itemId) == 0 then
      outcome = 'repeat'
    else
      local partners = redis.call('LRANGE', recentKey, 0, history - 1)
      redis.call('LPUSH', recentKey, itemId)
      redis.call('LTRIM', recentKey, 0, history - 1)
      local categories = redis.call('HGET', itemKey, 'categories') or '[]'
      local encoded = '[]'
      if #partners > 0 then encoded = cjson.encode(partners) end
      redis.call('HINCRBY', KEYS[2], 'likes', 1)
      appendEntry(KEYS[2], KEYS[1], 'kind', 'like', 'item', itemId, 'user', userId, 'at', at, 'partners', encoded, 'categories', categories)
    end
  end
  outcomes[i + 1] = outcome
end
return {'learned', outcomes}
`);

/** Interactions per LEARN call: ~2 ms of Redis time, so one call never holds other clients up for long. */
const LEARN_CHUNK = 100;

// KEYS: the behaviour log, its meta. ARGV: itemId.
const FORGET = fencedLogScript(`
return {'forgotten', appendEntry(KEYS[2], KEYS[1], 'kind', 'forget', 'item', ARGV[1])}
`);

/**
 * The behaviour log: the one place interactions are learned. Its writer (the index pool, under
 * the same lease and fencing token as the index logs) appends a like per first positive
 * interaction of a user with an item, with the user's recent likes it co-occurs with; every
 * recommend process replays it into a BehaviourModel (BehaviourReplica). It lives in Redis, so
 * a restart loses nothing.
 */
export class BehaviourLog extends FencedStore {
  readonly settings: LearnSettings;

  constructor(redis: RedisClient, prefix: string, options: { writerToken?: string; settings?: Partial<LearnSettings> } = {}) {
    super(redis, prefix, options);
    this.settings = { ...DEFAULT_LEARN_SETTINGS, ...options.settings };
  }

  /** Learns interactions in order, in one round trip; one outcome each. */
  async learn(interactions: readonly Interaction[]): Promise<LearnOutcome[]> {
    const { keys, settings } = this;
    const calls: { keys: string[]; args: (string | number)[] }[] = [];
    for (let start = 0; start < interactions.length; start += LEARN_CHUNK) {
      const call = { keys: [keys.behaviourLog, keys.behaviourMeta], args: [settings.historyItems, settings.eventTtlSeconds] as (string | number)[] };
      for (const i of interactions.slice(start, start + LEARN_CHUNK)) {
        call.keys.push(keys.behaviourEvent(i.eventId), keys.likedBy(i.userId), keys.recentLikes(i.userId), keys.item(i.itemId));
        call.args.push(i.userId, i.itemId, Math.round(i.atMs), i.rating === undefined || i.rating >= settings.positiveRating ? 1 : 0);
      }
      calls.push(call);
    }
    const replies = await this.fence.evalMany<['learned', LearnOutcome[]]>(LEARN, calls);
    return replies.flatMap(([, outcomes]) => outcomes);
  }

  /** A deleted item leaves the model (every replica drops it when it reads this entry). */
  async forget(itemId: string): Promise<void> {
    await this.fence.eval(FORGET, [this.keys.behaviourLog, this.keys.behaviourMeta], [itemId]);
  }

  /** Entries after `afterId` (a stream id; '0' from the start), oldest first. */
  async read(afterId: string, count: number): Promise<{ id: string; entry: BehaviourEntry }[]> {
    const rows = (await this.redis.xrange(this.keys.behaviourLog, `(${afterId}`, '+', 'COUNT', count)) as [string, string[]][];
    return rows.map(([id, fields]) => ({ id, entry: decodeBehaviourEntry(fields) }));
  }

  /** Likes ever logged (what `coldstart stats` reports as interactions). */
  async likes(): Promise<number> {
    return Number((await this.redis.hget(this.keys.behaviourMeta, 'likes')) ?? 0);
  }
}
