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

export interface UserVectorResult {
  /**
   * `applied`: appended to the log. `unchanged`: the user's vector is the one logged already, so
   * only their activity moved (a retried job, or an interaction that did not change the vector).
   * `stale`: a newer event already set the user's vector.
   */
  outcome: 'applied' | 'unchanged' | 'stale';
  walIds: string[];
}

// One user's vector and activity, fenced like an item mutation (same token, same script). The
// activity only moves forward (ZADD GT), so an old event replayed late never makes a user look
// active. Versions order a user's events like an item's (occurredAt, then eventId); a vector
// equal to the one already logged (same sha1) appends nothing, which keeps the log from growing
// with every interaction of a user whose topics did not change.
// KEYS: writer token, user indexes, versions, digests, activity. ARGV: key prefix, index name,
// userId, version, encoder, dimension, vector, activity ms, the caller's writer token.
export const UPSERT_USER_VECTOR = `
local function indexKey(suffix) return ARGV[1] .. ':index:' .. ARGV[2] .. ':' .. suffix end
local fence = redis.call('GET', KEYS[1]) or ''
if fence ~= ARGV[9] then return {'fenced', fence} end
local meta = indexKey('meta')
local dimension = redis.call('HGET', meta, 'dimension')
if dimension and dimension ~= ARGV[6] then return {'mismatch', dimension} end
redis.call('ZADD', KEYS[5], 'GT', ARGV[8], ARGV[3])
local current = redis.call('HGET', KEYS[3], ARGV[3])
if current and current > ARGV[4] then return {'stale', {}} end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('HSET', meta, 'encoder', ARGV[5], 'dimension', ARGV[6])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
local digest = redis.sha1hex(ARGV[7])
if redis.call('HGET', KEYS[4], ARGV[3]) == digest then return {'unchanged', {}} end
redis.call('HSET', KEYS[4], ARGV[3], digest)
local seq = redis.call('HINCRBY', meta, 'appended', 1)
local id = redis.call('XADD', indexKey('wal'), '*', 'seq', seq, 'op', 'upsert', 'itemId', ARGV[3], 'encoder', ARGV[5], 'dimension', ARGV[6], 'vector', ARGV[7])
return {'applied', {id}}
`;

// Forgets the users of one user-vector index last active before a cutoff, oldest first and at
// most LIMIT per call, fenced like every append: each that had a vector logged gets a delete in
// the log (replicas and snapshots drop it), and their activity, version and digest go too, so
// the index and its bookkeeping hold only users active within the window. A late event older
// than the cutoff may add a user back; it is inactive by definition and goes in the next sweep.
// KEYS: writer token, versions, digests, activity. ARGV: key prefix, index name, cutoff ms
// (exclusive), limit, the caller's writer token.
export const EXPIRE_INACTIVE_USERS = `
local fence = redis.call('GET', KEYS[1]) or ''
if fence ~= ARGV[5] then return {'fenced', fence} end
local users = redis.call('ZRANGE', KEYS[4], '-inf', '(' .. ARGV[3], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[4]))
local meta = ARGV[1] .. ':index:' .. ARGV[2] .. ':meta'
local wal = ARGV[1] .. ':index:' .. ARGV[2] .. ':wal'
for _, userId in ipairs(users) do
  redis.call('ZREM', KEYS[4], userId)
  redis.call('HDEL', KEYS[2], userId)
  if redis.call('HDEL', KEYS[3], userId) == 1 then
    local seq = redis.call('HINCRBY', meta, 'appended', 1)
    redis.call('XADD', wal, '*', 'seq', seq, 'op', 'delete', 'itemId', userId)
  end
end
return {'expired', users}
`;
