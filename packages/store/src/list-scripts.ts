/**
 * The Lua scripts with which RecommendationStore writes a list. A list lives in its user's slot
 * (spread over a cluster's shards) while the item records and the lists-by-item index live in
 * the data slot, and a script may touch one slot only, so a write is three steps, each atomic in
 * its own slot (on one server the same three):
 *
 * 1. CLAIM_ITEMS (data slot): refuse the list if one of its items is deleted; else add the user
 *    to each item's lists-by-item set, scored by the list's version (never lowering a score).
 * 2. STORE_LIST (user slot): store it, once per event, if the list is still the one read.
 * 3. RELEASE_AND_CHECK (data slot): take the user out of the by-item sets of the items the
 *    previous list held and this one does not, where a write older than this one put them (a
 *    newer write that re-added an item keeps its entry); and name the stored items deleted since
 *    step 1, which the caller then takes out of the list (REPLACE_LIST). The catalog counts its
 *    deletes (`catalogDeletes`, in its delete script): when the count is what step 1 read, no
 *    item can have been deleted since, and a write that released nothing (a new user's first
 *    list) only reads the count.
 *
 * Why no deleted item stays in a list: a delete flags the item, then rewrites every list its
 * by-item set names (RecommendationStore.removeItemEverywhere). A write whose step 1 ran after
 * the flag refuses the item. One whose step 1 ran before it is in the by-item set when the
 * delete reads it: if its list was stored by then, the delete takes the item out; if not, its
 * step 3 runs after the flag and finds the item deleted. A write that died between steps 2 and
 * 3 is retried (the job's at-least-once), finds its event stored, and runs the check of step 3
 * on the list as stored. A by-item entry left by a write that was refused or died only costs the
 * delete one read of a list that does not hold the item.
 */

// KEYS: the count of deletes, the items' records (n), their lists-by-item sets (n). ARGV: userId,
// version, the itemIds (n). Returns {'deleted', ids} or {'claimed', the count of deletes}.
export const CLAIM_ITEMS = `
local n = #ARGV - 2
local deleted = {}
for i = 1, n do
  if redis.call('HGET', KEYS[1 + i], 'deleted') ~= '0' then table.insert(deleted, ARGV[2 + i]) end
end
if #deleted > 0 then return {'deleted', deleted} end
for i = 1, n do redis.call('ZADD', KEYS[1 + n + i], 'GT', ARGV[2], ARGV[1]) end
return {'claimed', redis.call('GET', KEYS[1]) or '0'}
`;

// Writes a list at most once per event: a retried job (its worker died after the write but
// before the job was marked done) finds its event recorded and leaves the list alone, so it can
// neither double-count nor overwrite a newer event's list with an older one. Refuses a list that
// changed since the caller read it (sha1 of the list as read, '' for none): the caller reads again.
// KEYS: list, list-events, list-version. ARGV: json, eventId, sha1 of the previous list, version.
export const STORE_LIST = `
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 1 then return 'repeat' end
local previous = redis.call('GET', KEYS[1])
if (previous and redis.sha1hex(previous) or '') ~= ARGV[3] then return 'changed' end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[4])
return 'stored'
`;

// KEYS: the count of deletes, the lists-by-item sets of the items released (m), the records of
// the stored list's items. ARGV: userId, version, m, the count step 1 read ('': check anyway), the
// stored list's itemIds. Returns those of them deleted now.
export const RELEASE_AND_CHECK = `
local m = tonumber(ARGV[3])
local version = tonumber(ARGV[2])
for i = 2, m + 1 do
  local score = redis.call('ZSCORE', KEYS[i], ARGV[1])
  if score and tonumber(score) < version then redis.call('ZREM', KEYS[i], ARGV[1]) end
end
local deleted = {}
if (redis.call('GET', KEYS[1]) or '0') == ARGV[4] then return deleted end
for i = m + 2, #KEYS do
  if redis.call('HGET', KEYS[i], 'deleted') ~= '0' then table.insert(deleted, ARGV[3 + i - m]) end
end
return deleted
`;

// Replaces a list only if it is still the one read (sha1 as read): how items are taken out of a
// stored list without overwriting a list written meanwhile; a TTL it has stays. KEYS: list.
// ARGV: json, sha1. Returns 1 if replaced, 0 if the list changed (or is gone).
export const REPLACE_LIST = `
local current = redis.call('GET', KEYS[1])
if not current or redis.sha1hex(current) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return 1
`;
