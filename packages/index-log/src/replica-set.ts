import { WalReplica, type WalLog, type WalReplicaOptions } from './wal-replica.js';

/** One replica per index, created on first use; the profile's encoder picks its item index. */
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
    return this.forIndex(encoder);
  }

  /** Any index by its log's name: an encoder's item index, or a user-vector index (`users@<encoder>`). */
  forIndex(index: string): WalReplica {
    let replica = this.replicas.get(index);
    if (!replica) this.replicas.set(index, (replica = new WalReplica(this.log, index, this.options)));
    return replica;
  }
}
