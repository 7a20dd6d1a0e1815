import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startRedisCluster, type LocalRedisCluster } from './redis-cluster.js';
import { TEST_REDIS_URL } from './redis-fixture.js';

/**
 * The kinds of Redis the pipeline, snapshot and list-write tests run on: the suite's one server, and a local
 * cluster of three masters. The pipeline test runs its apps on the cluster with the queues in
 * two partitions (`queuePartitions`), so the data slot and each partition have a master of their
 * own; the snapshot tests use one.
 */
export const REDIS_KINDS = [
  { redis: 'one Redis', masters: 0, queuePartitions: 1 },
  { redis: 'a Redis Cluster of 3 masters', masters: 3, queuePartitions: 2 },
] as const;

/**
 * For the enclosing describe block: a cluster of `masters` started before its tests and stopped
 * after them (none for 0). `url()` is the REDIS_URL to use, valid from the first beforeAll on.
 */
export function useRedis(masters: number): { url(): string } {
  let cluster: LocalRedisCluster | undefined;
  beforeAll(async () => {
    if (masters > 0) cluster = await startRedisCluster({ masters, dir: await mkdtemp(join(tmpdir(), 'coldstart-cluster-')) });
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  return { url: () => cluster?.url ?? TEST_REDIS_URL };
}
