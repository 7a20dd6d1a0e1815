import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { clusterNodeOptions, parseRedisUrl, type RedisClient } from '@coldstart/config';

/**
 * `worker`: BullMQ workers block on Redis and must retry forever (`maxRetriesPerRequest: null`).
 * `autoPipelining` (on unless turned off): commands of one tick go out in one write; each such
 * batch is an ioredis Pipeline, whose construction copies every script defined on the client,
 * which on a connection BullMQ has loaded its 64 scripts onto costs about 20 µs instead of 2
 * (run-pool.ts gives BullMQ a connection of its own, without it).
 * `producer`: fails a command after a few retries, so the ingest leaves the SQS message
 * undeleted (it comes back) rather than hanging while Redis is away. `lazyConnect`: connect on
 * `connect()` or the first command, for a tool that starts the Redis it talks to.
 */
export function createRedis(url: string, role: 'worker' | 'producer', logger?: ConnectionLogger, connect: { lazyConnect?: boolean; autoPipelining?: boolean } = {}): RedisClient {
  const lazyConnect = connect.lazyConnect ?? false;
  const enableAutoPipelining = connect.autoPipelining ?? true;
  const options: RedisOptions = {
    maxRetriesPerRequest: role === 'worker' ? null : 3,
    enableReadyCheck: true,
    lazyConnect,
    connectionName: `coldstart-${role}`,
    // Commands issued in the same tick (a pool runs many jobs at once) go out in one write and
    // come back in one read, instead of a syscall each way per command on both sides.
    enableAutoPipelining,
    autoPipeliningIgnoredCommands: BLOCKING_COMMANDS,
  };
  const target = parseRedisUrl(url);
  const redis = target.cluster
    ? new Cluster(target.nodes, {
        redisOptions: { ...options, ...clusterNodeOptions(target) },
        // ElastiCache's TLS certificates name the nodes' host names, which the cluster's own
        // slot map gives as addresses: keep the names (ioredis' advice for ElastiCache).
        ...(target.tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
        enableReadyCheck: true,
        lazyConnect,
        enableAutoPipelining,
        autoPipeliningIgnoredCommands: BLOCKING_COMMANDS,
      })
    : new Redis(url, options);
  if (logger) logOutages(redis, logger);
  return redis;
}

/** Never batched: a blocking command would hold back every command queued behind it (BullMQ blocks on a connection of its own). */
const BLOCKING_COMMANDS = ['bzpopmin', 'bzpopmax', 'blpop', 'brpop', 'brpoplpush', 'blmove', 'xread', 'xreadgroup'];

export type ConnectionLogger = Pick<Logger, 'warn' | 'info'>;

/**
 * One structured line when the connection drops and one when it is back. Without an `error`
 * listener ioredis prints an unstructured "Unhandled error event" for every reconnect attempt,
 * which floods an app's log for as long as Redis is away.
 */
function logOutages(redis: RedisClient, logger: ConnectionLogger): void {
  let lostAt: number | undefined;
  redis.on('error', (error: Error) => {
    if (lostAt !== undefined) return;
    lostAt = Date.now();
    logger.warn({ err: error }, 'Redis connection lost; reconnecting');
  });
  redis.on('ready', () => {
    if (lostAt === undefined) return;
    logger.info({ downMs: Date.now() - lostAt }, 'Redis connection restored');
    lostAt = undefined;
  });
}

/** The servers behind a connection: every master of a cluster, or the one server. */
export function redisServers(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/**
 * Every key matching `pattern`, from each master of a cluster (a cluster's SCAN covers one node
 * only) or from the one server, with the server that holds it.
 */
export async function* scanKeys(redis: RedisClient, pattern: string): AsyncGenerator<{ key: string; server: Redis }> {
  // A cluster connection knows its masters once it is ready; a first command waits for that.
  if (redis instanceof Cluster) await redis.ping();
  for (const server of redisServers(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) yield { key, server };
    } while (cursor !== '0');
  }
}
