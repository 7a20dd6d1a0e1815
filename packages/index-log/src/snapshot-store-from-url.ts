import { S3Client } from '@aws-sdk/client-s3';
import { SnapshotStore, type SnapshotLogger } from './snapshot-store.js';
import { parseSnapshotsUrl } from './snapshots-url.js';

export interface SnapshotStoreSettings {
  /** `s3://bucket/prefix` (COLDSTART_SNAPSHOTS_S3_URL); unset means no snapshots. */
  url: string | undefined;
  /** An S3-compatible endpoint (S3_ENDPOINT); unset on AWS. */
  endpoint?: string | undefined;
  region: string;
  logger?: SnapshotLogger;
}

/** The snapshot store the process settings name, or undefined when snapshots are off. */
export function snapshotStoreFromUrl(settings: SnapshotStoreSettings): SnapshotStore | undefined {
  if (!settings.url) return undefined;
  const { bucket, prefix } = parseSnapshotsUrl(settings.url);
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
  });
  return new SnapshotStore({ client, bucket, prefix, ...(settings.logger ? { logger: settings.logger } : {}) });
}
