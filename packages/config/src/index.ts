export { ConfigError, parseEnv } from './parse-env.js';
export { envBoolean, envInteger, envKeyPrefix, envNumber, envUrl } from './env-types.js';
export { AwsEnv, MetricsEnv, PoolEnv, ProcessEnv, RedisEnv } from './common-env.js';
