import { runScript, type RedisClient } from '@coldstart/config';
import { storeKeys, type StoreKeys } from '@coldstart/index-log';

/** The eventId a fan-out write carries: one per user and window, so a retried rewrite is absorbed by the store's once-per-event rule. */
export function fanoutEventId(userId: string, window: number): string {
  return `fanout:${userId}:${window}`;
}

/** A list written by the new-item fan-out rather than for a user's own event (not a duplicate write of that event). */
export function isFanoutEventId(eventId: string): boolean {
  return eventId.startsWith('fanout:');
}

/** Pending items and done marks outlive any window by far; they only guard against leaks. */
const FANOUT_TTL_SECONDS = 86_400;

// Records new items for a user's next fan-out rewrite and returns the window it belongs to. The
// caller proposes the current window; if that window's rewrite has already started (the done
// mark), the items go to the next one instead, so an item is never left behind a rewrite that
// has already read its pending set (its job id would be absorbed by the finished job). An item
// already pending for a window not yet started keeps the earlier one.
// KEYS: pending, done. ARGV: proposed window, ttl, itemIds...
const RECORD = `
local done = tonumber(redis.call('GET', KEYS[2]) or '-1')
local window = tonumber(ARGV[1])
if window <= done then window = done + 1 end
for i = 3, #ARGV do
  local current = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[i]) or '-1')
  if current <= done or current > window then redis.call('ZADD', KEYS[1], window, ARGV[i]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return window
`;

// Marks a window's rewrite as started, then returns the items pending up to it. They stay
// pending until `settle`, so a rewrite that crashes finds them again on its retry.
// KEYS: pending, done. ARGV: window, ttl.
const TAKE = `
local done = tonumber(redis.call('GET', KEYS[2]) or '-1')
if tonumber(ARGV[1]) > done then redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2]) end
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
`;

// Drops items a rewrite handled, unless they were recorded again for a later window meanwhile.
// KEYS: pending. ARGV: window, itemIds...
const SETTLE = `
local removed = 0
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) <= tonumber(ARGV[1]) then removed = removed + redis.call('ZREM', KEYS[1], ARGV[i]) end
end
return removed
`;

/**
 * The recommend pool's bookkeeping for new-item fan-out: which new items wait for each user's
 * next list rewrite, and which time window's rewrite ran last. Windows are whole multiples of
 * the fan-out window since the epoch; each window of a user gets at most one rewrite job.
 */
export class FanoutStore {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = storeKeys(prefix);
  }

  /** Records `itemIds` for `userId`'s rewrite; returns the window they are due in (`window` or later). */
  async record(userId: string, itemIds: readonly string[], window: number): Promise<number> {
    const due = await runScript(this.redis, RECORD, [this.keys.fanoutPending(userId), this.keys.fanoutDone(userId)], [window, FANOUT_TTL_SECONDS, ...itemIds]);
    return Number(due);
  }

  /** Starts `window`'s rewrite for `userId`: later records go to a later window. Returns the items due. */
  async take(userId: string, window: number): Promise<string[]> {
    return (await runScript(this.redis, TAKE, [this.keys.fanoutPending(userId), this.keys.fanoutDone(userId)], [window, FANOUT_TTL_SECONDS])) as string[];
  }

  /** Forgets items the rewrite of `window` handled (written, or found not to rank). */
  async settle(userId: string, window: number, itemIds: readonly string[]): Promise<void> {
    if (itemIds.length > 0) await runScript(this.redis, SETTLE, [this.keys.fanoutPending(userId)], [window, ...itemIds]);
  }

  /** Items waiting for `userId`'s next rewrite, with their window. */
  async pending(userId: string): Promise<Map<string, number>> {
    const flat = await this.redis.zrange(this.keys.fanoutPending(userId), 0, -1, 'WITHSCORES');
    const found = new Map<string, number>();
    for (let i = 0; i + 1 < flat.length; i += 2) found.set(flat[i] as string, Number(flat[i + 1]));
    return found;
  }
}
