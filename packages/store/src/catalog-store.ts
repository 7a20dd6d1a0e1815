import { FencedStore, fencedLogScript, mutationVersion, VectorSpaceMismatchError } from '@coldstart/index-log';

export interface CatalogItemRecord {
  itemId: string;
  title: string;
  authors: string[];
  categories: string[];
  /** When the item was first upserted (its event's occurredAt, ms since the epoch): its age for exploration. Set by the store. */
  addedAt?: number;
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
// every index's log. Fenced like every append (see fencedLogScript).
// KEYS: item, live, counts, pairs, indexes, the count of deletes (which a list write compares
// before and after storing: list-scripts.ts), then each log's meta and stream: the encoder's for
// an upsert, every item index's for a delete. ARGV: op, version, itemId, title, authors,
// categories (JSON array of normalised names), encoder, dimension, vector, addedAt (the event's
// time, kept from the first upsert on: the item's age), then the logs' index names.
const APPLY_MUTATION = fencedLogScript(`
local logs = {}
for i = 11, #ARGV - 1 do
  local k = 7 + (i - 11) * 2
  table.insert(logs, {name = ARGV[i], meta = KEYS[k], wal = KEYS[k + 1]})
end
if ARGV[1] == 'upsert' then
  local held = heldDimension(logs[1].meta, ARGV[8])
  if held then return {'mismatch', held} end
else
  -- The caller names the item indexes it read; one created since means reading them again.
  if redis.call('SCARD', KEYS[5]) ~= #logs then return {'indexes-changed', {}} end
  for _, log in ipairs(logs) do
    if redis.call('SISMEMBER', KEYS[5], log.name) == 0 then return {'indexes-changed', {}} end
  end
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
  redis.call('HSETNX', KEYS[1], 'addedAt', ARGV[10])
  redis.call('SADD', KEYS[2], ARGV[3])
  redis.call('SADD', KEYS[5], ARGV[7])
  redis.call('HSET', logs[1].meta, 'encoder', ARGV[7], 'dimension', ARGV[8])
  table.insert(walIds, appendEntry(logs[1].meta, logs[1].wal, 'op', 'upsert', 'itemId', ARGV[3], 'encoder', ARGV[7], 'dimension', ARGV[8], 'vector', ARGV[9]))
else
  redis.call('HSET', KEYS[1], 'version', ARGV[2], 'deleted', '1')
  redis.call('INCR', KEYS[6])
  redis.call('HDEL', KEYS[1], 'title', 'authors', 'categories', 'addedAt')
  redis.call('SREM', KEYS[2], ARGV[3])
  for _, log in ipairs(logs) do
    table.insert(walIds, appendEntry(log.meta, log.wal, 'op', 'delete', 'itemId', ARGV[3]))
  end
end
return {'applied', walIds}
`);

/**
 * The catalog of record: item metadata, the live set and category statistics. Each item
 * mutation is appended to its index logs (@coldstart/index-log) in the same script, under the
 * writer's fencing token; the index pool is its only writer.
 */
export class CatalogStore extends FencedStore {
  private async apply(args: { itemId: string; version: string; op: 'upsert' | 'delete'; encoder: string; values: string[] }): Promise<MutationResult> {
    const { keys } = this;
    for (;;) {
      // A delete goes to every item index: the script checks that these are all of them.
      const indexes = args.op === 'upsert' ? [args.encoder] : await this.redis.smembers(keys.indexes);
      const [outcome, detail] = await this.fence.eval<[string, string[] | string]>(
        APPLY_MUTATION,
        [keys.item(args.itemId), keys.liveItems, keys.categoryCounts, keys.categoryPairs, keys.indexes, keys.catalogDeletes, ...indexes.flatMap((index) => [keys.indexMeta(index), keys.wal(index)])],
        [args.op, args.version, args.itemId, ...args.values, ...indexes],
      );
      if (outcome === 'indexes-changed') continue;
      if (outcome === 'mismatch') throw new VectorSpaceMismatchError(args.encoder, String(detail), args.values[4] ?? '?');
      return { outcome: outcome === 'applied' ? 'applied' : 'stale', walIds: Array.isArray(detail) ? detail : [] };
    }
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
      encoder: input.encoder,
      values: [
        input.item.title,
        JSON.stringify(input.item.authors),
        JSON.stringify(categories),
        input.encoder,
        String(input.dimension),
        input.vector,
        String(Date.parse(input.occurredAt)),
      ],
    });
  }

  delete(input: { itemId: string; occurredAt: string; eventId: string }): Promise<MutationResult> {
    return this.apply({
      itemId: input.itemId,
      version: mutationVersion(input.occurredAt, input.eventId),
      op: 'delete',
      encoder: '',
      values: ['', '[]', '[]', '', '0', '', ''],
    });
  }

  /** Live items among `itemIds`; deleted and unknown ids are absent from the map. */
  async getItems(itemIds: readonly string[]): Promise<Map<string, CatalogItemRecord>> {
    const found = new Map<string, CatalogItemRecord>();
    if (itemIds.length === 0) return found;
    const pipeline = this.redis.pipeline();
    for (const itemId of itemIds) pipeline.hmget(this.keys.item(itemId), 'deleted', 'title', 'authors', 'categories', 'addedAt');
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([error, reply], index) => {
      if (error) throw error;
      const [deleted, title, authors, categories, addedAt] = reply as (string | null)[];
      const itemId = itemIds[index];
      if (deleted !== '0' || itemId === undefined || title == null) return;
      found.set(itemId, {
        itemId,
        title,
        authors: JSON.parse(authors ?? '[]') as string[],
        categories: JSON.parse(categories ?? '[]') as string[],
        ...(addedAt ? { addedAt: Number(addedAt) } : {}),
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

  liveCount(): Promise<number> {
    return this.redis.scard(this.keys.liveItems);
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
