/** A snapshot object is missing, or its manifest, checksum or contents do not verify. */
export class SnapshotVerificationError extends Error {
  override readonly name = 'SnapshotVerificationError';
}

/**
 * The LATEST pointer changed between reading and replacing it (real S3 refused the conditional
 * write), or would move to an older snapshot than it names: another writer won.
 */
export class SnapshotPointerConflictError extends Error {
  override readonly name = 'SnapshotPointerConflictError';
}
