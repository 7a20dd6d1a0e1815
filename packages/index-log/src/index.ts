export { ReplicaSet } from './replica-set.js';
export { SnapshotPointerConflictError, SnapshotVerificationError } from './snapshot-errors.js';
export { SnapshotManifest, type SnapshotPointer } from './snapshot-manifest.js';
export { SNAPSHOT_PART_BYTES, SnapshotStore, type LoadedSnapshot, type SnapshotInput, type SnapshotListing, type SnapshotLogger } from './snapshot-store.js';
export { Snapshotter, type SnapshotPolicy, type SnapshotRetention, type SnapshotterDeps } from './snapshotter.js';
export { snapshotStoreFromUrl, type SnapshotStoreSettings } from './snapshot-store-from-url.js';
export { compareStreamIds, streamIdMs } from './stream-id.js';
export { WalReplica, WalTrimmedError, type VectorSpace, type WalLog, type WalLogEntry, type WalReplicaOptions } from './wal-replica.js';
export { decodeWalVector } from './wal-vector.js';
