// The replica lives in @coldstart/index-snapshots, where the index pool's snapshotter uses the
// same code, so a snapshot and a replica always apply the log identically.
export { ReplicaSet, WalReplica, type VectorSpace } from '@coldstart/index-snapshots';
