import type { Redis } from 'ioredis';
import { storeKeys, type StoreKeys } from './keys.js';
import { mutationVersion } from './mutation-version.js';

export interface CatalogItemRecord {
  itemId: string;
  title: string;
  authors: string[];
  categories: string[];
}

export type WalEntry =
  | { id: string; op: 'upsert'; itemId: string; encoder: string; dimension: number; vector: string }
  | { id: string; op: 'delete'; itemId: string };

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
// KEYS: item, live, counts, pairs, indexes. ARGV: op, version, itemId, title, authors,
// categories (JSON array of normalised names), encoder, dimension, vector, key prefix.
const APPLY_MUTATION = `
local function indexKey(index, suffix) return ARGV[10] .. ':index:' .. index .. ':' .. suffix end
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
  table.insert(walIds, redis.call('XADD', indexKey(ARGV[7], 'wal'), '*', 'op', 'upsert', 'itemId', ARGV[3], 'encoder', ARGV[7], 'dimension', ARGV[8], 'vector', ARGV[9]))
else
  redis.call('HSET', KEYS[1], 'version', ARGV[2], 'deleted', '1')
  redis.call('HDEL', KEYS[1], 'title', 'authors', 'categories')
  redis.call('SREM', KEYS[2], ARGV[3])
  for _, index in ipairs(redis.call('SMEMBERS', KEYS[5])) do
    table.insert(walIds, redis.call('XADD', indexKey(index, 'wal'), '*', 'op', 'delete', 'itemId', ARGV[3]))
  end
end
return {'applied', walIds}
`;

/**
 * The catalog of record: item metadata, category statistics and, per encoder, the vector
 * index's write-ahead log (a Redis Stream). The index pool is its only writer; recommend
 * replicas rebuild their FAISS index from the log and follow it.
 */
export class CatalogStore {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.keys = storeKeys(prefix);
  }

  private async apply(args: { itemId: string; version: string; op: 'upsert' | 'delete'; values: string[] }): Promise<MutationResult> {
    const { keys } = this;
    const result = (await this.redis.eval(
      APPLY_MUTATION,
      5,
      keys.item(args.itemId),
      keys.liveItems,
      keys.categoryCounts,
      keys.categoryPairs,
      keys.indexes,
      args.op,
      args.version,
      args.itemId,
      ...args.values,
      this.prefix,
    )) as [string, string[] | string];
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

  /** Encoders that have an index. */
  indexNames(): Promise<string[]> {
    return this.redis.smembers(this.keys.indexes);
  }

  liveCount(): Promise<number> {
    return this.redis.scard(this.keys.liveItems);
  }

  /** Entries of `index`'s log (an encoder id) after `afterId` ("0" for all), oldest first. */
  async readWal(index: string, afterId: string, count: number): Promise<WalEntry[]> {
    const rows = (await this.redis.xrange(this.keys.wal(index), `(${afterId}`, '+', 'COUNT', count)) as [string, string[]][];
    return rows.map(([id, flat]) => {
      const fields = new Map<string, string>();
      for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] as string, flat[i + 1] as string);
      const itemId = fields.get('itemId') ?? '';
      if (fields.get('op') === 'delete') return { id, op: 'delete', itemId };
      return {
        id,
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
