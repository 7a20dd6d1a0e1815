import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { deploymentPrefix, type RedisClient } from '@coldstart/config';
import { createRedis } from '@coldstart/queues';

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

/**
 * Deletes every key under `prefix`, its slot groups included (`{prefix:group}` on a cluster).
 * On a cluster every master is scanned and each key unlinked alone: one UNLINK may name keys
 * of one slot only.
 */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<void> {
  const tag = /^\{(.+)\}$/.exec(prefix);
  const pattern = tag ? `{${tag[1]}*` : `${prefix}:*`;
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      if (redis instanceof Cluster) {
        const pipeline = node.pipeline();
        for (const key of keys) pipeline.unlink(key);
        await pipeline.exec();
      } else await node.unlink(...keys);
    } while (cursor !== '0');
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
