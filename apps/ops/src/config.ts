import { AttributionEnv, AwsEnv, parseEnv, RedisEnv } from '@coldstart/config';
import type { z } from 'zod';

/**
 * What the operator commands read: the Redis and SQS settings every app shares, under the same
 * names, so an operator runs them with a pool's environment. The snapshot commands read theirs
 * (snapshot/snapshot-env.ts) only when they run.
 */
export const OpsEnv = RedisEnv.extend(AwsEnv.shape).extend(AttributionEnv.shape);
export type OpsConfig = z.infer<typeof OpsEnv>;

export const loadConfig = (): OpsConfig => parseEnv(OpsEnv);
