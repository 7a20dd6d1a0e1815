import type { RedisClient } from '@coldstart/config';
import { IndexLog, streamIdMs, type ReplicaSet, type WalReplica } from '@coldstart/index-log';
import { gauge } from '@coldstart/runtime';

export interface ReplicaLag {
  index: string;
  /** Log entries appended but not yet applied by this replica. */
  entries: number;
  /** Time between the newest applied entry and the newest one in the log; 0 when caught up. */
  seconds: number;
  /** The newest applied entry's time (Unix seconds); 0 before the first. */
  appliedAt: number;
  /** The replica's log position (stream id) and the snapshot it started from. */
  position: string;
  snapshot: string | undefined;
}

/**
 * How far a replica is behind its write-ahead log: entries ever appended minus the sequence
 * number of the newest one applied (a snapshot counts as having applied everything up to its
 * position, and trimming does not change the count), and the time span of the entries not
 * applied. Replicas catch up before every search, so lag at rest is normal; it measures how
 * much the next job has to apply first.
 */
export async function replicaLag(redis: RedisClient, prefix: string, replica: WalReplica): Promise<ReplicaLag> {
  const bounds = await new IndexLog(redis, prefix).walBounds(replica.indexName);
  const appliedMs = streamIdMs(replica.position);
  return {
    index: replica.indexName,
    entries: Math.max(0, bounds.appended - (replica.sequence ?? 0)),
    seconds: Math.max(0, streamIdMs(bounds.lastId) - appliedMs) / 1000,
    appliedAt: appliedMs / 1000,
    position: replica.position,
    snapshot: replica.startedFrom,
  };
}

/** Reports every replica's lag on scrape: coldstart_index_replica_lag_{entries,seconds} and the applied time. */
export function reportReplicaLag(redis: RedisClient, prefix: string, replicas: ReplicaSet): void {
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
