import { z } from 'zod';

const StreamId = z.string().regex(/^\d+-\d+$/, 'must be a stream id <ms>-<seq>');

/**
 * `manifest.json` beside each snapshot's `index.bin`: what the bytes are and which log entries
 * they contain. The id map travels inside index.bin (the vector index's own format holds the
 * ids), so the sha256 covers it too.
 */
export const SnapshotManifest = z.object({
  format: z.literal(1),
  index: z.string().min(1),
  snapshotId: z.string().min(1),
  createdAt: z.iso.datetime(),
  /** The stream id of the newest log entry the snapshot contains; replay continues after it. */
  walSequence: StreamId,
  /** That entry's sequence number (entries ever appended up to it), for lag in entries; 0 if unknown. */
  walEntries: z.number().int().min(0),
  encoder: z.string().min(1),
  dimension: z.number().int().positive(),
  /** The FAISS factory string (Flat, HNSW32, IVF1024,Flat, …). */
  factory: z.string().min(1),
  /** Live vectors. */
  vectors: z.number().int().min(0),
  /** index.bin's length and sha256 (hex). */
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The writer's fencing token when it wrote the snapshot; null from `coldstart snapshot create`. */
  fencingToken: z.string().nullable(),
});
export type SnapshotManifest = z.infer<typeof SnapshotManifest>;

/** The `LATEST` object: which snapshot replicas start from. */
export const SnapshotPointer = z.object({
  snapshotId: z.string().min(1),
  walSequence: StreamId,
  movedAt: z.iso.datetime(),
});
export type SnapshotPointer = z.infer<typeof SnapshotPointer>;
