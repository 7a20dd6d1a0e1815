import { envUrl, parseEnv } from '@coldstart/config';
import { z } from 'zod';

/**
 * What the snapshot commands need beyond the CLI's own settings: the same variables the index
 * pool reads, so an operator points the CLI at the writer's snapshots by copying its env.
 */
export const SnapshotCliEnv = z.object({
  COLDSTART_SNAPSHOTS_S3_URL: z
    .string({ message: 'must be set (s3://bucket/prefix, as for worker-index)' })
    .regex(/^s3:\/\/[^/]+/, 'must look like s3://bucket/prefix'),
  S3_ENDPOINT: envUrl(['http', 'https']).optional(),
  /** Used by `create` when the index has no snapshot yet to take its type from. */
  INDEX_FACTORY: z.string().min(1).default('Flat'),
});
export type SnapshotCliConfig = z.infer<typeof SnapshotCliEnv>;

export const loadSnapshotConfig = (): SnapshotCliConfig => parseEnv(SnapshotCliEnv);
