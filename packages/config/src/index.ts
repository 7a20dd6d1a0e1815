export { ConfigError, parseEnv } from './parse-env.js';
export { envBoolean, envInteger, envKeyPrefix, envNumber, envRedisUrl, envS3Url, envUrl } from './env-types.js';
export { attributionSettings, AttributionEnv, AwsEnv, MetricsEnv, PoolEnv, ProcessEnv, RedisEnv, S3Env } from './common-env.js';
export { clusterNodeOptions, deploymentPrefix, isClusterUrl, llmRequestGroup, parseRedisUrl, SLOT_GROUPS, slotGroup, type RedisClient, type RedisTarget } from './redis.js';
export { isNoScriptError, runScript, scriptSha } from './redis-script.js';
