import { AwsEnv, envInteger, MetricsEnv, parseEnv, ProcessEnv, RedisEnv } from '@coldstart/config';

export const IngestEnv = RedisEnv.extend(AwsEnv.shape).extend(ProcessEnv.shape).extend(MetricsEnv.shape).extend({
  /** SQS long-poll wait, 0-20 s. */
  INGEST_WAIT_TIME_SECONDS: envInteger(20, { min: 0, max: 20 }),
  /**
   * When a receive comes back full (10 messages: a backlog), this many receives in all are taken
   * at once, without waiting, and handled as one batch: the signups among them travel as one
   * flow (up to 50 with the default). 1 handles each receive alone.
   */
  INGEST_RECEIVES_PER_BATCH: envInteger(5, { min: 1, max: 5 }),
  /**
   * After a receive that came back with a few messages (neither none nor 10), wait this long and
   * take those that arrived meanwhile into the same batch: at a steady, moderate rate, signups then
   * share flows (less CPU per signup) for this much latency and one more receive. 0 turns it off.
   */
  INGEST_BATCH_WAIT_MS: envInteger(50, { min: 0, max: 1_000 }),
  /** Seven days: longer than SQS keeps a message by default (4 days), so no redelivery outlives it. */
  DEDUPE_TTL_SECONDS: envInteger(7 * 86_400, { min: 60, max: 90 * 86_400 }),
});

export const loadConfig = () => parseEnv(IngestEnv);
