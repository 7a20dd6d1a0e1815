import { WalReplica, type WalLog, type WalReplicaOptions } from './wal-replica.js';

/** One replica per encoder's index, created on first use; the profile's encoder picks it. */
export class ReplicaSet {
  private readonly replicas = new Map<string, WalReplica>();

  constructor(
    private readonly log: WalLog,
    private readonly options: WalReplicaOptions = {},
  ) {}

  /** Every replica created so far (for lag metrics and readiness). */
  all(): WalReplica[] {
    return [...this.replicas.values()];
  }

  forEncoder(encoder: string): WalReplica {
    let replica = this.replicas.get(encoder);
    if (!replica) this.replicas.set(encoder, (replica = new WalReplica(this.log, encoder, this.options)));
    return replica;
  }
}
