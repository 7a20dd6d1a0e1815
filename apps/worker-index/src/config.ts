import { envInteger, envS3Url, parseEnv, PoolEnv, S3Env } from '@coldstart/config';
import { z } from 'zod';

export const IndexEnv = PoolEnv.extend(S3Env.shape).extend({
  /** `s3://bucket/prefix` for index snapshots; unset: no snapshots, and the log is never trimmed. */
  COLDSTART_SNAPSHOTS_S3_URL: envS3Url.optional(),
  /** Snapshot an index once this many log entries arrived since its last snapshot… */
  SNAPSHOT_EVERY_MUTATIONS: envInteger(1_000, { min: 1, max: 100_000_000 }),
  /** …or once this long passed since it, if anything changed. */
  SNAPSHOT_EVERY_SECONDS: envInteger(300, { min: 1, max: 7 * 86_400 }),
  /** Snapshots kept per index; the log is trimmed below the oldest kept one. */
  SNAPSHOT_KEEP: envInteger(3, { min: 1, max: 1_000 }),
  /** FAISS factory string of the indexes snapshots are built as (Flat, HNSW32, IVF1024,Flat, …). */
  INDEX_FACTORY: z.string().min(1).default('Flat'),
  /**
   * Users last active longer ago than this leave the user-vector indexes (0: never). Keep it at
   * least the recommend pool's FANOUT_ACTIVE_WITHIN_SECONDS: the fan-out ignores older users anyway.
   */
  USER_VECTOR_TTL_SECONDS: envInteger(7 * 86_400, { min: 0, max: 365 * 86_400 }),
  /** How often the writer sweeps the user-vector indexes for inactive users. */
  USER_EXPIRY_INTERVAL_SECONDS: envInteger(600, { min: 1, max: 86_400 }),
  /** Interactions rated at least this count as likes in the behaviour model; lower ones only as seen. Unrated ones are likes. */
  BEHAVIOUR_POSITIVE_RATING: envInteger(4, { min: 1, max: 5 }),
  /** A like co-occurs with at most this many of the user's most recent likes (bounds the cost of an interaction). */
  BEHAVIOUR_HISTORY_ITEMS: envInteger(50, { min: 1, max: 1_000 }),
  /** How long an interaction's eventId is remembered against redelivery (a repeated like of the same item is caught regardless). */
  BEHAVIOUR_EVENT_TTL_SECONDS: envInteger(30 * 86_400, { min: 60, max: 365 * 86_400 }),
  /** The single-writer lease: a standby index process takes over at most this long after the writer died. */
  WRITER_LEASE_MS: envInteger(15_000, { min: 1_000, max: 600_000 }),
});
export type IndexConfig = z.infer<typeof IndexEnv>;

export const loadConfig = () => parseEnv(IndexEnv);
