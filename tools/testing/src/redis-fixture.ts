import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { deploymentPrefix, type RedisClient } from '@coldstart/config';
import { createRedis, scanKeys } from '@coldstart/queues';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface RedisFixture {
  redis: RedisClient;
  /** REDIS_URL for the apps under test. */
  url: string;
  /** Unique per fixture, so tests sharing one redis-server never see each other's keys; a hash tag on a cluster, as the apps make it. */
  prefix: string;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup(): Promise<void>;
}

/** Deletes every key under `prefix`, its slot groups included (`{prefix:group}` on a cluster). */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<void> {
  const tag = /^\{(.+)\}$/.exec(prefix);
  const found = new Map<Redis, string[]>();
  for await (const { key, server } of scanKeys(redis, tag ? `{${tag[1]}*` : `${prefix}:*`)) found.set(server, [...(found.get(server) ?? []), key]);
  for (const [server, keys] of found) {
    // Key by key, on the server holding them: one UNLINK may name keys of one slot only.
    for (let start = 0; start < keys.length; start += 1000) {
      const pipeline = server.pipeline();
      for (const key of keys.slice(start, start + 1000)) pipeline.unlink(key);
      await pipeline.exec();
    }
  }
}

export async function createRedisFixture(url = TEST_REDIS_URL): Promise<RedisFixture> {
  const redis = createRedis(url, 'worker');
  const prefix = deploymentPrefix(url, `test-${randomUUID()}`);
  return {
    redis,
    url,
    prefix,
    cleanup: async () => {
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    },
  };
}
