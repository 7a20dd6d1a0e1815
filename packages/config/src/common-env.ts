import { z } from 'zod';
import { envInteger, envKeyPrefix, envRedisUrl, envUrl } from './env-types.js';

/**
 * Variables shared by every process. Each app extends these with its own, so the same name
 * means the same thing everywhere (compose, Helm, the local stack).
 */
export const RedisEnv = z.object({
  REDIS_URL: envRedisUrl.default('redis://127.0.0.1:6379'),
  COLDSTART_PREFIX: envKeyPrefix,
  /**
   * How many sets of the pools' BullMQ queues a deployment runs (@coldstart/queues'
   * QueuePartitions): on a Redis Cluster each set has a slot of its own, so the queues' load
   * spreads over as many shards. Every process of a deployment must use the same number;
   * operations.md#queue-partitions says how to change it.
   */
  QUEUE_PARTITIONS: envInteger(1, { min: 1, max: 64 }),
});

export const AwsEnv = z.object({
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Unset on AWS; the local emulator's URL (e.g. http://127.0.0.1:4566) elsewhere. */
  SQS_ENDPOINT: envUrl(['http', 'https']).optional(),
  USER_EVENTS_QUEUE: z.string().min(1).max(80).default('coldstart-user-events'),
  ITEM_EVENTS_QUEUE: z.string().min(1).max(80).default('coldstart-item-events'),
});

/** S3 for model files and index snapshots: the region, and an S3-compatible emulator's URL off AWS. */
export const S3Env = z.object({
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Unset on AWS; an S3-compatible emulator's URL (path-style) elsewhere. */
  S3_ENDPOINT: envUrl(['http', 'https']).optional(),
});

export const ProcessEnv = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Must stay below the orchestrator's termination grace period (Kubernetes: 30 s by default). */
  SHUTDOWN_DEADLINE_MS: envInteger(20_000, { min: 100, max: 600_000 }),
});

/**
 * The operations endpoints (/healthz, /readyz, /metrics) of a process without an HTTP API of its
 * own: the pools and the ingest. The API serves them on API_PORT instead.
 */
export const MetricsEnv = z.object({
  /** 0 picks a free port (logged at start): for tests; several processes on one host need one port each. */
  METRICS_PORT: envInteger(9464, { min: 0, max: 65_535 }),
  /** Loopback by default; containers set 0.0.0.0 so Prometheus and the kubelet can reach it. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

/** Every worker pool: how many jobs one process runs at once, and how fast a killed worker's jobs come back. */
export const PoolEnv = RedisEnv.extend(ProcessEnv.shape).extend(MetricsEnv.shape).extend({
  POOL_CONCURRENCY: envInteger(8, { min: 1, max: 1_000 }),
  /** A job whose worker died is retried once this lock lapses (plus one stalled-check interval). */
  JOB_LOCK_MS: envInteger(30_000, { min: 1_000, max: 600_000 }),
  STALLED_INTERVAL_MS: envInteger(15_000, { min: 1_000, max: 600_000 }),
});

/**
 * Attribution of interactions to served lists (experiments): the API records what it serves,
 * the recommend pool credits interactions; both read these, so they must agree.
 */
export const AttributionEnv = z.object({
  /** How long after the API first served a list an interaction can be credited to it. */
  ATTRIBUTION_WINDOW_SECONDS: envInteger(86_400, { min: 60, max: 30 * 86_400 }),
  /** How long the hourly experiment counts are kept: how far back `coldstart experiments report --since` reaches. */
  ATTRIBUTION_RETENTION_DAYS: envInteger(90, { min: 1, max: 3_650 }),
  /** Attributed interactions rated at least this are positive; unrated ones are (worker-index's behaviour model counts likes the same way). */
  BEHAVIOUR_POSITIVE_RATING: envInteger(4, { min: 1, max: 5 }),
});

/** The attribution settings of @coldstart/experiments' AttributionStore, from AttributionEnv. */
export function attributionSettings(env: z.infer<typeof AttributionEnv>) {
  return { windowSeconds: env.ATTRIBUTION_WINDOW_SECONDS, retentionDays: env.ATTRIBUTION_RETENTION_DAYS, positiveRating: env.BEHAVIOUR_POSITIVE_RATING };
}
