import type { Redis } from 'ioredis';
import { fencedLogScript, storeKeys, WriterFence, type StoreKeys } from '@coldstart/index-log';
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

// KEYS: event marker, the user's liked set, the user's recent likes, the item's catalog record,
// the behaviour log, its meta. ARGV: eventId, userId, itemId, at ms, positive (1/0), history
// items, event ttl. One script per interaction, so the dedupe, the user's history and the log
// entry change together; the fence makes the index pool's writer its only caller.
const LEARN = fencedLogScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {'duplicate', ''} end
redis.call('SET', KEYS[1], '1', 'EX', tonumber(ARGV[7]))
if ARGV[5] ~= '1' then return {'negative', ''} end
if redis.call('SADD', KEYS[2], ARGV[3]) == 0 then return {'repeat', ''} end
local history = tonumber(ARGV[6])
local partners = redis.call('LRANGE', KEYS[3], 0, history - 1)
redis.call('LPUSH', KEYS[3], ARGV[3])
redis.call('LTRIM', KEYS[3], 0, history - 1)
local categories = redis.call('HGET', KEYS[4], 'categories') or '[]'
local encoded = '[]'
if #partners > 0 then encoded = cjson.encode(partners) end
redis.call('HINCRBY', KEYS[6], 'likes', 1)
local id = appendEntry(KEYS[6], KEYS[5], 'kind', 'like', 'item', ARGV[3], 'user', ARGV[2], 'at', ARGV[4], 'partners', encoded, 'categories', categories)
return {'learned', id}
`);

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
export class BehaviourLog {
  private readonly keys: StoreKeys;
  private readonly fence: WriterFence;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: { writerToken?: string; settings?: Partial<LearnSettings> } = {},
  ) {
    this.keys = storeKeys(prefix);
    this.fence = new WriterFence(redis, this.keys, options.writerToken);
    this.settings = { ...DEFAULT_LEARN_SETTINGS, ...options.settings };
  }

  readonly settings: LearnSettings;

  /** Learns interactions in order, in one round trip; one outcome each. */
  async learn(interactions: readonly Interaction[]): Promise<LearnOutcome[]> {
    const { keys, settings } = this;
    const replies = await this.fence.evalMany<[LearnOutcome, string]>(
      LEARN,
      interactions.map((i) => ({
        keys: [keys.behaviourEvent(i.eventId), keys.likedBy(i.userId), keys.recentLikes(i.userId), keys.item(i.itemId), keys.behaviourLog, keys.behaviourMeta],
        args: [i.eventId, i.userId, i.itemId, Math.round(i.atMs), i.rating === undefined || i.rating >= settings.positiveRating ? 1 : 0, settings.historyItems, settings.eventTtlSeconds],
      })),
    );
    return replies.map(([outcome]) => outcome);
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
