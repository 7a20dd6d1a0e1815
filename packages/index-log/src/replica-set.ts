import { isUserIndexName } from './user-index.js';
import { WalReplica, type WalLog, type WalReplicaOptions } from './wal-replica.js';

/**
 * One replica per index, created on first use; the profile's encoder picks its item index.
 * `searchCache` is for item indexes only: a user-vector index is searched by each new item's own
 * vector, a question never asked twice, for hundreds of users at a time.
 */
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
    if (!replica) {
      const options = isUserIndexName(index) ? { ...this.options, searchCache: 0 } : this.options;
      this.replicas.set(index, (replica = new WalReplica(this.log, index, options)));
    }
    return replica;
  }
}
