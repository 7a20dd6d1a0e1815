import type { Redis } from 'ioredis';
import { storeKeys, type StoreKeys } from './keys.js';
import { mutationVersion } from './mutation-version.js';
import { EXPIRE_INACTIVE_USERS, UPSERT_USER_VECTOR, userIndexName, type UserVectorResult } from './user-index.js';

export interface CatalogItemRecord {
  itemId: string;
  title: string;
  authors: string[];
  categories: string[];
}

/**
 * One log entry. `id` is the stream id (its position, time-ordered); `seq` counts the entries
 * ever appended to this index's log (1, 2, …), so the distance between two positions is known
 * even after the log is trimmed. Entries written before sequence numbers existed have none.
 */
export type WalEntry = ({ op: 'upsert'; itemId: string; encoder: string; dimension: number; vector: string } | { op: 'delete'; itemId: string }) & {
  id: string;
  seq?: number;
};

/** How far an index's log reaches: what a replica compares its position with. */
export interface WalBounds {
  /** Entries ever appended (the newest entry's `seq`); 0 for an empty or unknown log. */
  appended: number;
  /** The newest entry's stream id, "0" when none. */
  lastId: string;
  /** Entries below this stream id were trimmed ("0" when never): a replica behind it must reload a snapshot. */
  trimmedBelow: string;
}

export interface MutationResult {
  outcome: 'applied' | 'stale';
  /** Log entries written: one for an upsert (its encoder's index), one per index for a delete. */
  walIds: string[];
}

export interface CategoryStats {
  /** Live items in the catalog. */
  items: number;
  /** Live items per category. */
  counts: Map<string, number>;
  /** Live items per unordered category pair, keyed by `pairKey(a, b)`. */
  pairs: Map<string, number>;
}

/** A vector whose dimension differs from the one its encoder's index was built with. */
export class VectorSpaceMismatchError extends Error {
  override readonly name = 'VectorSpaceMismatchError';
  constructor(encoder: string, expectedDimension: string, actualDimension: string) {
    super(
      `index of encoder "${encoder}" holds ${expectedDimension}-dimensional vectors; refusing a ${actualDimension}-dimensional one (give a changed encoder a new id, so its vectors go to a new index)`,
    );
  }
}

/**
 * The caller's writer token is not the current one: another index process took the catalog over
 * (a paused or partitioned old writer woke up). Retryable: the job goes back to the queue and the
 * current writer applies it.
 */
export class FencedWriterError extends Error {
  override readonly name = 'FencedWriterError';
  constructor(callerToken: string, currentToken: string) {
    super(
      `write-ahead log append refused: this writer's fencing token is ${callerToken === '' ? 'unset' : callerToken} but the current writer's is ${currentToken === '' ? 'unset' : currentToken} (another index process took over)`,
    );
  }
}

const PAIR_SEPARATOR = '\u0000';
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}${PAIR_SEPARATOR}${b}` : `${b}${PAIR_SEPARATOR}${a}`;
}

/** Category names compared case- and space-insensitively, so "Sci-Fi " and "sci-fi" count together. */
export function normaliseCategory(category: string): string {
  return category.trim().toLowerCase().replace(/\s+/g, ' ');
}

// Applies one item mutation atomically: the version check, the co-occurrence counts and the
// write-ahead-log append happen together, so concurrent index workers cannot interleave an
// older mutation after a newer one, and a retried job re-appends (idempotently) rather than
// being skipped. A mutation with the same version as the stored one is re-applied on purpose.
// Each encoder has its own index (vectors of different encoders are not comparable): an
// upsert goes to its encoder's log, whose first entry fixes the dimension; a delete goes to
// every index's log.
// The fencing check is in the same script as the append, so no writer can append after it lost
// the catalog, however long it was paused between its check and its write. Once any writer has
// taken a token, every append must carry the current one; without tokens (tests, tools) the
// check passes only while nobody has taken one. Each entry carries its index's sequence number.
// KEYS: item, live, counts, pairs, indexes, writer token. ARGV: op, version, itemId, title,
// authors, categories (JSON array of normalised names), encoder, dimension, vector, key prefix,
// the caller's writer token ('' for none).
const APPLY_MUTATION = `
local function indexKey(index, suffix) return ARGV[10] .. ':index:' .. index .. ':' .. suffix end
local fence = redis.call('GET', KEYS[6]) or ''
if fence ~= ARGV[11] then return {'fenced', fence} end
local function append(index, ...)
  local seq = redis.call('HINCRBY', indexKey(index, 'meta'), 'appended', 1)
  return redis.call('XADD', indexKey(index, 'wal'), '*', 'seq', seq, ...)
end
if ARGV[1] == 'upsert' then
  local dimension = redis.call('HGET', indexKey(ARGV[7], 'meta'), 'dimension')
  if dimension and dimension ~= ARGV[8] then return {'mismatch', dimension} end
end
local current = redis.call('HGET', KEYS[1], 'version')
if current and current > ARGV[2] then return {'stale', {}} end
local function adjust(categoriesJson, delta)
  if not categoriesJson then return end
  local categories = cjson.decode(categoriesJson)
  for i = 1, #categories do
    local n = redis.call('HINCRBY', KEYS[3], categories[i], delta)
    if n <= 0 then redis.call('HDEL', KEYS[3], categories[i]) end
    for j = i + 1, #categories do
      local a, b = categories[i], categories[j]
      if b < a then a, b = b, a end
      local field = a .. '\\0' .. b
      local m = redis.call('HINCRBY', KEYS[4], field, delta)
      if m <= 0 then redis.call('HDEL', KEYS[4], field) end
    end
  end
end
if redis.call('HGET', KEYS[1], 'deleted') == '0' then
  adjust(redis.call('HGET', KEYS[1], 'categories'), -1)
end
local walIds = {}
if ARGV[1] == 'upsert' then
  adjust(ARGV[6], 1)
  redis.call('HSET', KEYS[1], 'version', ARGV[2], 'deleted', '0', 'title', ARGV[4], 'authors', ARGV[5], 'categories', ARGV[6])
  redis.call('SADD', KEYS[2], ARGV[3])
  redis.call('SADD', KEYS[5], ARGV[7])
  redis.call('HSET', indexKey(ARGV[7], 'meta'), 'encoder', ARGV[7], 'dimension', ARGV[8])
  table.insert(walIds, append(ARGV[7], 'op', 'upsert', 'itemId', ARGV[3], 'encoder', ARGV[7], 'dimension', ARGV[8], 'vector', ARGV[9]))
else
  redis.call('HSET', KEYS[1], 'version', ARGV[2], 'deleted', '1')
  redis.call('HDEL', KEYS[1], 'title', 'authors', 'categories')
  redis.call('SREM', KEYS[2], ARGV[3])
  for _, index in ipairs(redis.call('SMEMBERS', KEYS[5])) do
    table.insert(walIds, append(index, 'op', 'delete', 'itemId', ARGV[3]))
  end
end
return {'applied', walIds}
`;

// Takes the catalog over if nobody holds it: the lease (owner, expiring) and a new fencing token
// together, so a token is never issued while another writer's lease is live. KEYS: lease,
// token. ARGV: owner, lease ms. Returns the new token, or false while another owner holds it.
const CLAIM_WRITER = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('INCR', KEYS[2]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return redis.call('GET', KEYS[2])
end
return false
`;

// Extends the lease only while the caller still owns it. KEYS: lease. ARGV: owner, lease ms.
const RENEW_WRITER = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;

const RELEASE_WRITER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

// Drops log entries below a stream id and records that id, fenced like an append so a deposed
// writer cannot trim below the new writer's snapshots. The mark only moves forward, so a replica
// can always tell whether entries after its position may be gone. KEYS: log, meta, writer token.
// ARGV: min id, the caller's writer token.
const TRIM_WAL = `
local fence = redis.call('GET', KEYS[3]) or ''
if fence ~= ARGV[2] then return {'fenced', fence} end
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms or id) or 0, tonumber(seq or 0) or 0
end
local previous = redis.call('HGET', KEYS[2], 'trimmedBelow') or '0'
local pms, pseq = parse(previous)
local nms, nseq = parse(ARGV[1])
if nms < pms or (nms == pms and nseq <= pseq) then return {'kept', 0} end
local removed = redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
redis.call('HSET', KEYS[2], 'trimmedBelow', ARGV[1])
return {'trimmed', removed}
`;

/** The catalog's single-writer lease and fencing counter (one for all indexes; see claimWriter). */
function writerKeys(prefix: string) {
  return { lease: `${prefix}:index:writer:lease`, token: `${prefix}:index:writer:token` };
}

/**
 * The catalog of record: item metadata, category statistics and, per encoder, the vector
 * index's write-ahead log (a Redis Stream). The index pool is its only writer; recommend
 * replicas rebuild their FAISS index from the log and follow it.
 */
export class CatalogStore {
  private readonly keys: StoreKeys;
  private readonly writer: ReturnType<typeof writerKeys>;
  private readonly writerToken: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** The fencing token from claimWriter; mutations and trims are refused unless it is the current one. */
    options: { writerToken?: string } = {},
  ) {
    this.keys = storeKeys(prefix);
    this.writer = writerKeys(prefix);
    this.writerToken = options.writerToken ?? '';
  }

  private async apply(args: { itemId: string; version: string; op: 'upsert' | 'delete'; values: string[] }): Promise<MutationResult> {
    const { keys } = this;
    const result = (await this.redis.eval(
      APPLY_MUTATION,
      6,
      keys.item(args.itemId),
      keys.liveItems,
      keys.categoryCounts,
      keys.categoryPairs,
      keys.indexes,
      this.writer.token,
      args.op,
      args.version,
      args.itemId,
      ...args.values,
      this.prefix,
      this.writerToken,
    )) as [string, string[] | string];
    if (result[0] === 'fenced') throw new FencedWriterError(this.writerToken, String(result[1]));
    if (result[0] === 'mismatch') {
      throw new VectorSpaceMismatchError(args.values[3] ?? '?', String(result[1]), args.values[4] ?? '?');
    }
    return { outcome: result[0] === 'applied' ? 'applied' : 'stale', walIds: Array.isArray(result[1]) ? result[1] : [] };
  }

  upsert(input: {
    item: CatalogItemRecord;
    occurredAt: string;
    eventId: string;
    encoder: string;
    dimension: number;
    vector: string;
  }): Promise<MutationResult> {
    const categories = [...new Set(input.item.categories.map(normaliseCategory).filter((c) => c.length > 0))];
    return this.apply({
      itemId: input.item.itemId,
      version: mutationVersion(input.occurredAt, input.eventId),
      op: 'upsert',
      values: [
        input.item.title,
        JSON.stringify(input.item.authors),
        JSON.stringify(categories),
        input.encoder,
        String(input.dimension),
        input.vector,
      ],
    });
  }

  delete(input: { itemId: string; occurredAt: string; eventId: string }): Promise<MutationResult> {
    return this.apply({
      itemId: input.itemId,
      version: mutationVersion(input.occurredAt, input.eventId),
      op: 'delete',
      values: ['', '[]', '[]', '', '0', ''],
    });
  }

  /** Live items among `itemIds`; deleted and unknown ids are absent from the map. */
  async getItems(itemIds: readonly string[]): Promise<Map<string, CatalogItemRecord>> {
    const found = new Map<string, CatalogItemRecord>();
    if (itemIds.length === 0) return found;
    const pipeline = this.redis.pipeline();
    for (const itemId of itemIds) pipeline.hmget(this.keys.item(itemId), 'deleted', 'title', 'authors', 'categories');
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([error, reply], index) => {
      if (error) throw error;
      const [deleted, title, authors, categories] = reply as (string | null)[];
      const itemId = itemIds[index];
      if (deleted !== '0' || itemId === undefined || title == null) return;
      found.set(itemId, {
        itemId,
        title,
        authors: JSON.parse(authors ?? '[]') as string[],
        categories: JSON.parse(categories ?? '[]') as string[],
      });
    });
    return found;
  }

  /** The event whose mutation each item holds now (undefined for items never written). */
  async appliedEvents(itemIds: readonly string[]): Promise<Map<string, string | undefined>> {
    const pipeline = this.redis.pipeline();
    for (const itemId of itemIds) pipeline.hget(this.keys.item(itemId), 'version');
    const replies = (await pipeline.exec()) ?? [];
    return new Map(
      itemIds.map((itemId, index) => {
        const [error, version] = replies[index] ?? [null, null];
        if (error) throw error;
        return [itemId, typeof version === 'string' ? version.slice(version.indexOf('|') + 1) : undefined];
      }),
    );
  }

  /** Encoders that have an item index (the user-vector indexes are listed by `userIndexNames`). */
  indexNames(): Promise<string[]> {
    return this.redis.smembers(this.keys.indexes);
  }

  /** The user-vector indexes (`users@<encoder>`), kept like item indexes; see user-index.ts. */
  userIndexNames(): Promise<string[]> {
    return this.redis.smembers(this.keys.userIndexes);
  }

  /**
   * Records a user's interest vector in their encoder's user-vector index (appended to its log,
   * fenced like an item mutation) and moves their last-active time to `occurredAt` if that is
   * later. Throws VectorSpaceMismatchError if the index holds vectors of another dimension.
   */
  async upsertUserVector(input: { userId: string; occurredAt: string; eventId: string; encoder: string; dimension: number; vector: string }): Promise<UserVectorResult> {
    const index = userIndexName(input.encoder);
    const { keys } = this;
    const result = (await this.redis.eval(
      UPSERT_USER_VECTOR,
      5,
      this.writer.token,
      keys.userIndexes,
      keys.userVersions(index),
      keys.userDigests(index),
      keys.userActivity(index),
      this.prefix,
      index,
      input.userId,
      mutationVersion(input.occurredAt, input.eventId),
      input.encoder,
      String(input.dimension),
      input.vector,
      String(Math.max(0, Date.parse(input.occurredAt))),
      this.writerToken,
    )) as [string, string[] | string];
    if (result[0] === 'fenced') throw new FencedWriterError(this.writerToken, String(result[1]));
    if (result[0] === 'mismatch') throw new VectorSpaceMismatchError(index, String(result[1]), String(input.dimension));
    const outcome = result[0] === 'applied' ? 'applied' : result[0] === 'unchanged' ? 'unchanged' : 'stale';
    return { outcome, walIds: Array.isArray(result[1]) ? result[1] : [] };
  }

  /**
   * Removes from a user-vector index the users last active before `cutoffMs`, oldest first and at
   * most `limit` of them: a delete is appended to its log for each that had a vector. Fenced like
   * every append. Returns the users removed (fewer than `limit`: none older are left).
   */
  async expireInactiveUsers(index: string, cutoffMs: number, limit: number): Promise<string[]> {
    const { keys } = this;
    const result = (await this.redis.eval(
      EXPIRE_INACTIVE_USERS,
      4,
      this.writer.token,
      keys.userVersions(index),
      keys.userDigests(index),
      keys.userActivity(index),
      this.prefix,
      index,
      String(cutoffMs),
      String(limit),
      this.writerToken,
    )) as [string, string[] | string];
    if (result[0] === 'fenced') throw new FencedWriterError(this.writerToken, String(result[1]));
    return Array.isArray(result[1]) ? result[1] : [];
  }

  /** When each user was last active (epoch ms), per a user-vector index; users never recorded are absent. */
  async userActivity(index: string, userIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (userIds.length === 0) return found;
    const scores = await this.redis.zmscore(this.keys.userActivity(index), ...userIds);
    scores.forEach((score, i) => {
      const userId = userIds[i];
      if (score !== null && userId !== undefined) found.set(userId, Number(score));
    });
    return found;
  }

  liveCount(): Promise<number> {
    return this.redis.scard(this.keys.liveItems);
  }

  /**
   * Takes the catalog's write-ahead logs over if no other owner's lease is live, and returns the
   * new fencing token (the same one again while `owner` still holds the lease). One lease covers
   * every index: a delete is appended to all of them in one script, and an index comes into being
   * with its first upsert, so per-index leases would have to be taken together anyway.
   */
  async claimWriter(owner: string, leaseMs: number): Promise<string | undefined> {
    const token = (await this.redis.eval(CLAIM_WRITER, 2, this.writer.lease, this.writer.token, owner, leaseMs)) as string | number | null;
    return token === null ? undefined : String(token);
  }

  /** False when `owner` no longer holds the lease (it lapsed, and perhaps another writer took over). */
  async renewWriter(owner: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW_WRITER, 1, this.writer.lease, owner, leaseMs)) === 1;
  }

  async releaseWriter(owner: string): Promise<void> {
    await this.redis.eval(RELEASE_WRITER, 1, this.writer.lease, owner);
  }

  /** Throws FencedWriterError unless this store's writer token is the current one. */
  async assertCurrentWriter(): Promise<void> {
    const current = (await this.redis.get(this.writer.token)) ?? '';
    if (current !== this.writerToken) throw new FencedWriterError(this.writerToken, current);
  }

  /**
   * Removes `index`'s log entries below stream id `minId` (a snapshot's position: entries up to it
   * are in that snapshot). Refused with FencedWriterError unless this store holds the current
   * writer token; a `minId` at or below an earlier trim changes nothing. Returns entries removed.
   */
  async trimWal(index: string, minId: string): Promise<number> {
    const [outcome, detail] = (await this.redis.eval(TRIM_WAL, 3, this.keys.wal(index), this.keys.indexMeta(index), this.writer.token, minId, this.writerToken)) as [
      string,
      string | number,
    ];
    if (outcome === 'fenced') throw new FencedWriterError(this.writerToken, String(detail));
    return Number(detail);
  }

  async walBounds(index: string): Promise<WalBounds> {
    const [meta, newest] = await Promise.all([
      this.redis.hmget(this.keys.indexMeta(index), 'appended', 'trimmedBelow'),
      this.redis.xrevrange(this.keys.wal(index), '+', '-', 'COUNT', 1) as Promise<[string, string[]][]>,
    ]);
    return { appended: Number(meta[0] ?? 0), lastId: newest[0]?.[0] ?? '0', trimmedBelow: meta[1] ?? '0' };
  }

  /** Entries of `index`'s log (an encoder id) after `afterId` ("0" for all), oldest first. */
  async readWal(index: string, afterId: string, count: number): Promise<WalEntry[]> {
    const rows = (await this.redis.xrange(this.keys.wal(index), `(${afterId}`, '+', 'COUNT', count)) as [string, string[]][];
    return rows.map(([id, flat]) => {
      const fields = new Map<string, string>();
      for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] as string, flat[i + 1] as string);
      const itemId = fields.get('itemId') ?? '';
      const seq = fields.has('seq') ? { seq: Number(fields.get('seq')) } : {};
      if (fields.get('op') === 'delete') return { id, ...seq, op: 'delete', itemId };
      return {
        id,
        ...seq,
        op: 'upsert',
        itemId,
        encoder: fields.get('encoder') ?? '',
        dimension: Number(fields.get('dimension')),
        vector: fields.get('vector') ?? '',
      };
    });
  }

  async categoryStats(): Promise<CategoryStats> {
    const [items, counts, pairs] = await Promise.all([
      this.redis.scard(this.keys.liveItems),
      this.redis.hgetall(this.keys.categoryCounts),
      this.redis.hgetall(this.keys.categoryPairs),
    ]);
    const toMap = (record: Record<string, string>) => new Map(Object.entries(record).map(([k, v]) => [k, Number(v)]));
    return { items, counts: toMap(counts), pairs: toMap(pairs) };
  }
}
