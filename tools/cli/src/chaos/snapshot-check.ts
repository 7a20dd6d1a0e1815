import { IndexLog, ReplicaSet, WalReplica, type SnapshotStore } from '@coldstart/index-log';
import { storeKeys } from '@coldstart/store';
import type { RedisClient } from '@coldstart/config';
import { scanKeys } from '@coldstart/queues';
import { sleep } from '@coldstart/runtime';

export interface IndexSnapshotCheck {
  index: string;
  /** An item index (compared with the catalog), or another index the writer snapshots (user vectors). */
  kind: 'item' | 'other';
  /** The snapshots in S3 once the run is over (the writer keeps SNAPSHOT_KEEP of them), oldest first. */
  kept: { snapshotId: string; walSequence: string | null; vectors: number | null; latest: boolean }[];
  /** The snapshot LATEST names; null when there is none. */
  latest: { snapshotId: string; walSequence: string; vectors: number; bytes: number; sha256: string } | null;
  /** LATEST's manifest parses and names it, index.bin has the manifest's size and sha256 and deserialises to its vectors. */
  latestVerifies: boolean;
  /** LATEST is at the log's last entry: the writer snapshotted everything after the drain. */
  coversLog: boolean;
  logEnd: string;
  /** A replica started the way the recommend pool starts one: from the newest verified snapshot, then the log after it. */
  replica: { startedFrom: string | null; appliedFromLog: number; items: number } | null;
}

export interface SnapshotCheck {
  indexes: IndexSnapshotCheck[];
  /** Live items in the catalog (Redis), against which the replicas are compared. */
  catalogItems: number;
  /** Items the replicas hold, summed over the indexes. */
  replicaItems: number;
  /** Catalog items no replica holds (the first 20). */
  missingFromReplicas: string[];
  /** Catalog items the replicas lack plus items they hold that the catalog does not. */
  itemDifferences: number;
  /** How long the check waited for LATEST to reach the end of each log. */
  waitedMs: number;
  verified: boolean;
  problems: string[];
}

/** Every index that has a write-ahead log, whatever list of indexes names it. */
async function loggedIndexes(redis: RedisClient, prefix: string): Promise<string[]> {
  const [head, tail] = storeKeys(prefix).wal('\n').split('\n') as [string, string];
  const names: string[] = [];
  for await (const { key } of scanKeys(redis, `${head}*${tail}`)) names.push(key.slice(head.length, key.length - tail.length));
  return names;
}

/** Waits (up to `deadline`) for the writer's snapshot after the drain, the one that covers the whole log. */
async function waitForFinalSnapshot(store: SnapshotStore, indexLog: IndexLog, index: string, deadline: number): Promise<string> {
  for (;;) {
    const [{ pointer }, { lastId }] = await Promise.all([store.readPointer(index), indexLog.walBounds(index)]);
    if (pointer?.walSequence === lastId || Date.now() > deadline) return lastId;
    await sleep(500);
  }
}

/**
 * After a chaos run with S3 faults: what the writer left in S3, read directly from the emulator
 * (not through the fault proxy). For each index, LATEST must verify (manifest, size, sha256,
 * contents) and a replica must start from it, as the recommend pool starts one, and catch up on
 * the log; the item indexes' replicas must then hold exactly the catalog's items. Anything else
 * is a problem, and a failed run. Every index with a log is checked, so indexes the catalog
 * lists apart from its item indexes (the user-vector indexes) are too.
 */
export async function checkSnapshots(redis: RedisClient, prefix: string, store: SnapshotStore, options: { waitMs: number }): Promise<SnapshotCheck> {
  const indexLog = new IndexLog(redis, prefix);
  const replicas = new ReplicaSet(indexLog, { snapshots: store });
  const problems: string[] = [];
  const indexes: IndexSnapshotCheck[] = [];
  const started = Date.now();
  const itemIndexes = new Set(await indexLog.indexNames());
  const names = [...new Set([...itemIndexes, ...(await loggedIndexes(redis, prefix))])].sort();
  if (itemIndexes.size === 0) problems.push('the catalog has no item index, so nothing was snapshotted');

  for (const index of names) {
    const kind = itemIndexes.has(index) ? 'item' : 'other';
    const logEnd = await waitForFinalSnapshot(store, indexLog, index, started + options.waitMs);
    const listing = await store.list(index);
    const { pointer } = await store.readPointer(index);
    const check: IndexSnapshotCheck = {
      index,
      kind,
      kept: listing.map(({ snapshotId, manifest, latest }) => ({ snapshotId, walSequence: manifest?.walSequence ?? null, vectors: manifest?.vectors ?? null, latest })),
      latest: null,
      latestVerifies: false,
      coversLog: pointer?.walSequence === logEnd,
      logEnd,
      replica: null,
    };
    indexes.push(check);
    if (!pointer) {
      problems.push(`index ${index}: no LATEST pointer, so no snapshot was committed`);
    } else {
      try {
        const { manifest } = await store.load(index, pointer.snapshotId);
        check.latest = { snapshotId: manifest.snapshotId, walSequence: manifest.walSequence, vectors: manifest.vectors, bytes: manifest.bytes, sha256: manifest.sha256 };
        check.latestVerifies = true;
      } catch (error) {
        problems.push(`index ${index}: LATEST names ${pointer.snapshotId}, which does not verify: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    // Item indexes through the recommend pool's ReplicaSet, whose replicas are compared with the catalog below.
    const replica = kind === 'item' ? replicas.forEncoder(index) : new WalReplica(indexLog, index, { snapshots: store });
    try {
      await replica.catchUp();
      check.replica = { startedFrom: replica.startedFrom ?? null, appliedFromLog: replica.applied, items: replica.index?.size ?? 0 };
      if (pointer && replica.startedFrom !== pointer.snapshotId) {
        problems.push(`index ${index}: a replica started from ${replica.startedFrom ?? 'the log alone'}, not from LATEST (${pointer.snapshotId})`);
      }
    } catch (error) {
      problems.push(`index ${index}: a replica could not start from the snapshots and the log: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // Each item lives in its encoder's index; the catalog does not record which, so the sets are compared across all.
  const live = await redis.smembers(storeKeys(prefix).liveItems);
  const held = (itemId: string) => replicas.all().some((replica) => replica.index?.has(itemId) ?? false);
  const missing = live.filter((itemId) => !held(itemId));
  const replicaItems = replicas.all().reduce((sum, replica) => sum + (replica.index?.size ?? 0), 0);
  const extra = replicaItems - (live.length - missing.length);
  if (missing.length > 0 || extra !== 0) {
    problems.push(`replicas started from the snapshots hold ${replicaItems} items, the catalog ${live.length}: ${missing.length} missing, ${extra} not in the catalog`);
  }
  return {
    indexes,
    catalogItems: live.length,
    replicaItems,
    missingFromReplicas: missing.slice(0, 20),
    itemDifferences: missing.length + extra,
    waitedMs: Date.now() - started,
    verified: problems.length === 0,
    problems,
  };
}
