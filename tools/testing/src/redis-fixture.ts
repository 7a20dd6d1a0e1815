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
  const pending = new Map<Redis, string[]>();
  // Key by key, on the server holding them (one UNLINK may name keys of one slot only), a page at a time.
  const flush = async (server: Redis, keys: string[]) => {
    const pipeline = server.pipeline();
    for (const key of keys.splice(0)) pipeline.unlink(key);
    await pipeline.exec();
  };
  for await (const { key, server } of scanKeys(redis, tag ? `{${tag[1]}*` : `${prefix}:*`)) {
    let keys = pending.get(server);
    if (!keys) pending.set(server, (keys = []));
    keys.push(key);
    if (keys.length >= 1000) await flush(server, keys);
  }
  for (const [server, keys] of pending) if (keys.length > 0) await flush(server, keys);
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
