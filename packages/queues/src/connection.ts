import { Redis } from 'ioredis';

/**
 * `worker`: BullMQ workers block on Redis and must retry forever (`maxRetriesPerRequest: null`).
 * `producer`: fails a command after a few retries, so the ingest leaves the SQS message
 * undeleted (it comes back) rather than hanging while Redis is away.
 */
export function createRedis(url: string, role: 'worker' | 'producer'): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 3,
    enableReadyCheck: true,
    lazyConnect: false,
    connectionName: `coldstart-${role}`,
  });
}

/** BullMQ keys live under `<prefix>:bull:<queue>:…`, next to the rest of a deployment's keys. */
export function bullPrefix(keyPrefix: string): string {
  return `${keyPrefix}:bull`;
}
