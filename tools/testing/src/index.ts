export { freePort, freePortRange, startApp, type AppProcess } from './app-process.js';
export { createRedisFixture, deleteKeysWithPrefix, TEST_REDIS_URL, type RedisFixture } from './redis-fixture.js';
export { localClusterUrl, redisClusterPids, startRedisCluster, stopRedisCluster, type LocalRedisCluster, type LocalRedisClusterOptions } from './redis-cluster.js';
export { startS3Emulator, type S3Emulator } from './s3-emulator.js';
export { startSqsEmulator, type SqsEmulator } from './sqs-emulator.js';
export { REDIS_KINDS, useRedis } from './redis-kinds.js';
