import { fencedLogScript } from './writer-fence.js';

/**
 * The user-vector index: one per encoder, named `users@<encoder>`, holding each recently active
 * user's interest vector under their userId. It is kept exactly like an item index (the index
 * pool appends to its write-ahead log under the writer's fencing token; recommend replicas
 * replay it; the writer snapshots and trims it), so the same WalReplica and Snapshotter serve it.
 *
 * Its name is kept out of the catalog's `indexes` set on purpose: an item delete is appended to
 * every index in that set, and a user whose id equals a deleted item's would lose their vector.
 * Code that wants every log (the snapshot loop, the recommend pool's replicas) asks for
 * `userIndexNames()` as well.
 */
export function userIndexName(encoder: string): string {
  return `users@${encoder}`;
}

/** True for a user-vector index's name (its entries are users, not items). */
export function isUserIndexName(index: string): boolean {
  return index.startsWith(userIndexName(''));
}

export interface UserVectorResult {
  /**
   * `applied`: appended to the log. `unchanged`: the user's vector is the one logged already, so
   * only their activity moved (a retried job, or an interaction that did not change the vector).
   * `stale`: a newer event already set the user's vector.
   */
  outcome: 'applied' | 'unchanged' | 'stale';
  walIds: string[];
}

// One user's vector and activity, fenced like an item mutation (same token, same prelude). The
// activity only moves forward (ZADD GT), so an old event replayed late never makes a user look
// active. Versions order a user's events like an item's (occurredAt, then eventId); a vector
// equal to the one already logged (same sha1) appends nothing, which keeps the log from growing
// with every interaction of a user whose topics did not change.
// KEYS: user indexes, versions, digests, activity, the index's meta, its log. ARGV: index name,
// userId, version, encoder, dimension, vector, activity ms.
export const UPSERT_USER_VECTOR = fencedLogScript(`
local held = heldDimension(KEYS[5], ARGV[5])
if held then return {'mismatch', held} end
redis.call('ZADD', KEYS[4], 'GT', ARGV[7], ARGV[2])
local current = redis.call('HGET', KEYS[2], ARGV[2])
if current and current > ARGV[3] then return {'stale', {}} end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[5], 'encoder', ARGV[4], 'dimension', ARGV[5])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
local digest = redis.sha1hex(ARGV[6])
if redis.call('HGET', KEYS[3], ARGV[2]) == digest then return {'unchanged', {}} end
redis.call('HSET', KEYS[3], ARGV[2], digest)
return {'applied', {appendEntry(KEYS[5], KEYS[6], 'op', 'upsert', 'itemId', ARGV[2], 'encoder', ARGV[4], 'dimension', ARGV[5], 'vector', ARGV[6])}}
`);

// Forgets the users of one user-vector index last active before a cutoff, oldest first and at
// most LIMIT per call, fenced like every append: each that had a vector logged gets a delete in
// the log (replicas and snapshots drop it), and their activity, version and digest go too, so
// the index and its bookkeeping hold only users active within the window. A late event older
// than the cutoff may add a user back; it is inactive by definition and goes in the next sweep.
// KEYS: versions, digests, activity, the index's meta, its log. ARGV: cutoff ms (exclusive), limit.
export const EXPIRE_INACTIVE_USERS = fencedLogScript(`
local users = redis.call('ZRANGE', KEYS[3], '-inf', '(' .. ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
for _, userId in ipairs(users) do
  redis.call('ZREM', KEYS[3], userId)
  redis.call('HDEL', KEYS[1], userId)
  if redis.call('HDEL', KEYS[2], userId) == 1 then appendEntry(KEYS[4], KEYS[5], 'op', 'delete', 'itemId', userId) end
end
return {'expired', users}
`);
