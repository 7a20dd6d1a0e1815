import { FencedStore } from './fenced-store.js';
import { mutationVersion } from './mutation-version.js';
import { EXPIRE_INACTIVE_USERS, UPSERT_USER_VECTOR, userIndexName, type UserVectorResult } from './user-index.js';
import { walEntryFromStream, type WalBounds, type WalEntry } from './wal-entry.js';
import { fencedLogScript, VectorSpaceMismatchError } from './writer-fence.js';

// Drops log entries below a stream id and records that id, fenced like an append so a deposed
// writer cannot trim below the new writer's snapshots. The mark only moves forward, so a replica
// can always tell whether entries after its position may be gone. KEYS: log, meta. ARGV: min id.
const TRIM_WAL = fencedLogScript(`
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
`);

/**
 * The vector indexes' write-ahead logs (one Redis Stream per index: an encoder's item index, or
 * a user-vector index `users@<encoder>`), their single writer's lease, and the user-vector
 * index the writer keeps in them. The index pool is the only writer (CatalogStore appends item
 * mutations through the same fence); recommend replicas rebuild their FAISS indexes from the
 * logs and follow them; the writer snapshots and trims them.
 */
export class IndexLog extends FencedStore {
  /**
   * Takes every index log over if no other owner's lease is live, and returns the new fencing
   * token (the same one again while `owner` still holds the lease).
   */
  claimWriter(owner: string, leaseMs: number): Promise<string | undefined> {
    return this.fence.claim(owner, leaseMs);
  }

  /** False when `owner` no longer holds the lease (it lapsed, and perhaps another writer took over). */
  renewWriter(owner: string, leaseMs: number): Promise<boolean> {
    return this.fence.renew(owner, leaseMs);
  }

  releaseWriter(owner: string): Promise<void> {
    return this.fence.release(owner);
  }

  /** Throws FencedWriterError unless this log's writer token is the current one. */
  assertCurrentWriter(): Promise<void> {
    return this.fence.assertCurrent();
  }

  /** Encoders that have an item index (the user-vector indexes are listed by `userIndexNames`). */
  indexNames(): Promise<string[]> {
    return this.redis.smembers(this.keys.indexes);
  }

  /** The user-vector indexes (`users@<encoder>`), kept like item indexes; see user-index.ts. */
  userIndexNames(): Promise<string[]> {
    return this.redis.smembers(this.keys.userIndexes);
  }

  /** Entries of `index`'s log after `afterId` ("0" for all), oldest first. */
  async readWal(index: string, afterId: string, count: number): Promise<WalEntry[]> {
    const rows = (await this.redis.xrange(this.keys.wal(index), `(${afterId}`, '+', 'COUNT', count)) as [string, string[]][];
    return rows.map(([id, flat]) => walEntryFromStream(id, flat));
  }

  async walBounds(index: string): Promise<WalBounds> {
    const [meta, newest] = await Promise.all([
      this.redis.hmget(this.keys.indexMeta(index), 'appended', 'trimmedBelow'),
      this.redis.xrevrange(this.keys.wal(index), '+', '-', 'COUNT', 1) as Promise<[string, string[]][]>,
    ]);
    return { appended: Number(meta[0] ?? 0), lastId: newest[0]?.[0] ?? '0', trimmedBelow: meta[1] ?? '0' };
  }

  /**
   * Removes `index`'s log entries below stream id `minId` (a snapshot's position: entries up to it
   * are in that snapshot). Refused with FencedWriterError unless this log holds the current
   * writer token; a `minId` at or below an earlier trim changes nothing. Returns entries removed.
   */
  async trimWal(index: string, minId: string): Promise<number> {
    const [, removed] = await this.fence.eval<[string, number]>(TRIM_WAL, [this.keys.wal(index), this.keys.indexMeta(index)], [minId]);
    return Number(removed);
  }

  /**
   * Records a user's interest vector in their encoder's user-vector index (appended to its log,
   * fenced like an item mutation) and moves their last-active time to `occurredAt` if that is
   * later. Throws VectorSpaceMismatchError if the index holds vectors of another dimension.
   */
  async upsertUserVector(input: { userId: string; occurredAt: string; eventId: string; encoder: string; dimension: number; vector: string }): Promise<UserVectorResult> {
    const index = userIndexName(input.encoder);
    const { keys } = this;
    const [outcome, detail] = await this.fence.eval<[string, string[] | string]>(
      UPSERT_USER_VECTOR,
      [keys.userIndexes, keys.userVersions(index), keys.userDigests(index), keys.userActivity(index), keys.indexMeta(index), keys.wal(index)],
      [
        index,
        input.userId,
        mutationVersion(input.occurredAt, input.eventId),
        input.encoder,
        String(input.dimension),
        input.vector,
        String(Math.max(0, Date.parse(input.occurredAt))),
      ],
    );
    if (outcome === 'mismatch') throw new VectorSpaceMismatchError(index, String(detail), String(input.dimension));
    return { outcome: outcome === 'applied' ? 'applied' : outcome === 'unchanged' ? 'unchanged' : 'stale', walIds: Array.isArray(detail) ? detail : [] };
  }

  /**
   * Removes from a user-vector index the users last active before `cutoffMs`, oldest first and at
   * most `limit` of them: a delete is appended to its log for each that had a vector. Fenced like
   * every append. Returns the users removed (fewer than `limit`: none older are left).
   */
  async expireInactiveUsers(index: string, cutoffMs: number, limit: number): Promise<string[]> {
    const { keys } = this;
    const [, users] = await this.fence.eval<[string, string[]]>(
      EXPIRE_INACTIVE_USERS,
      [keys.userVersions(index), keys.userDigests(index), keys.userActivity(index), keys.indexMeta(index), keys.wal(index)],
      [String(cutoffMs), String(limit)],
    );
    return Array.isArray(users) ? users : [];
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
}
