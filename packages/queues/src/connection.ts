import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * `worker`: BullMQ workers block on Redis and must retry forever (`maxRetriesPerRequest: null`).
 * `producer`: fails a command after a few retries, so the ingest leaves the SQS message
 * undeleted (it comes back) rather than hanging while Redis is away.
 */
export function createRedis(url: string, role: 'worker' | 'producer', logger?: ConnectionLogger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 3,
    enableReadyCheck: true,
    lazyConnect: false,
    connectionName: `coldstart-${role}`,
  });
  if (logger) logOutages(redis, logger);
  return redis;
}

export type ConnectionLogger = Pick<Logger, 'warn' | 'info'>;

/**
 * One structured line when the connection drops and one when it is back. Without an `error`
 * listener ioredis prints an unstructured "Unhandled error event" for every reconnect attempt,
 * which floods an app's log for as long as Redis is away.
 */
function logOutages(redis: Redis, logger: ConnectionLogger): void {
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

/** BullMQ keys live under `<prefix>:bull:<queue>:…`, next to the rest of a deployment's keys. */
export function bullPrefix(keyPrefix: string): string {
  return `${keyPrefix}:bull`;
}
