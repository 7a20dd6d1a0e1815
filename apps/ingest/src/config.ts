import { AwsEnv, envInteger, MetricsEnv, parseEnv, ProcessEnv, RedisEnv } from '@coldstart/config';

export const IngestEnv = RedisEnv.extend(AwsEnv.shape).extend(ProcessEnv.shape).extend(MetricsEnv.shape).extend({
  /** SQS long-poll wait, 0-20 s. */
  INGEST_WAIT_TIME_SECONDS: envInteger(20, { min: 0, max: 20 }),
  /** Seven days: longer than SQS keeps a message by default (4 days), so no redelivery outlives it. */
  DEDUPE_TTL_SECONDS: envInteger(7 * 86_400, { min: 60, max: 90 * 86_400 }),
});

export const loadConfig = () => parseEnv(IngestEnv);
