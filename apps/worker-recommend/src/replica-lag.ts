import type { Redis } from 'ioredis';
import { gauge } from '@coldstart/runtime';
import { storeKeys } from '@coldstart/store';
import type { ReplicaSet, WalReplica } from './wal-replica.js';

export interface ReplicaLag {
  index: string;
  /** Log entries appended but not yet applied by this replica. */
  entries: number;
  /** Time between the newest applied entry and the newest one in the log; 0 when caught up. */
  seconds: number;
  /** The newest applied entry's time (Unix seconds); 0 before the first. */
  appliedAt: number;
}

/** A stream id's time part: `<ms>-<seq>`. */
const streamMs = (id: string): number => Number(id.split('-')[0] ?? 0) || 0;

/**
 * How far a replica is behind its write-ahead log: the log's length minus the entries applied
 * (the log is never trimmed yet; with snapshots this becomes entries after the snapshot), and
 * the time span of the entries not applied. Replicas catch up before every search, so lag at
 * rest is normal; it measures how much the next job has to apply first.
 */
export async function replicaLag(redis: Redis, prefix: string, replica: WalReplica): Promise<ReplicaLag> {
  const key = storeKeys(prefix).wal(replica.indexName);
  const [length, newest] = await Promise.all([redis.xlen(key), redis.xrevrange(key, '+', '-', 'COUNT', 1)]);
  const newestId = newest[0]?.[0] ?? '0';
  const appliedMs = streamMs(replica.position);
  return {
    index: replica.indexName,
    entries: Math.max(0, length - replica.applied),
    seconds: Math.max(0, streamMs(newestId) - appliedMs) / 1000,
    appliedAt: appliedMs / 1000,
  };
}

/** Reports every replica's lag on scrape: coldstart_index_replica_lag_{entries,seconds} and the applied time. */
export function reportReplicaLag(redis: Redis, prefix: string, replicas: ReplicaSet): void {
  const lags = async () => Promise.all(replicas.all().map((replica) => replicaLag(redis, prefix, replica)));
  // One read per scrape, shared by the three gauges (prom-client collects them concurrently).
  let pending: Promise<ReplicaLag[]> | undefined;
  const read = () => {
    pending ??= lags().finally(() => setTimeout(() => (pending = undefined), 100).unref());
    return pending;
  };
  const collector = (pick: (lag: ReplicaLag) => number) =>
    async function (this: { reset(): void; set(labels: { index: string }, value: number): void }) {
      this.reset();
      const all = await read().catch(() => []);
      for (const lag of all) this.set({ index: lag.index }, pick(lag));
    };
  gauge({
    name: 'coldstart_index_replica_lag_entries',
    help: "Write-ahead log entries this process's replica of an index has not applied yet.",
    labelNames: ['index'] as const,
    collect: collector((lag) => lag.entries),
  });
  gauge({
    name: 'coldstart_index_replica_lag_seconds',
    help: "Time span of the log entries this process's replica has not applied yet; 0 when caught up.",
    labelNames: ['index'] as const,
    collect: collector((lag) => lag.seconds),
  });
  gauge({
    name: 'coldstart_index_replica_applied_timestamp_seconds',
    help: 'When the newest log entry the replica applied was appended (Unix seconds): time() minus this is the age of what it serves.',
    labelNames: ['index'] as const,
    collect: collector((lag) => lag.appliedAt),
  });
}
