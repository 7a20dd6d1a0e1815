import { createHash } from 'node:crypto';

/**
 * How many times a signup's jobs are retried (with the queue's backoff: 1 + 2 + 4 s) while a seed
 * item it names is not in the catalog or the index yet; SQS does not order the user and item
 * queues, so the item is usually seconds away. After that the user is served without it, and
 * their list is rebuilt when it arrives (graph.ts: upsert-item → refresh-user). A signup that
 * waits in a batch of others is first split off into a flow of its own (settle-each.ts), whose
 * retries these are, so the rest of the batch does not wait with it.
 */
export const SEED_WAIT_RETRIES = 3;

const SEED_ARRIVAL = 'seed-arrived:';

/** The event a rebuild for a seed's arrival writes its list under: one per (item upsert, user), at most 128 characters. */
export function seedArrivalEventId(upsertEventId: string, userId: string): string {
  return `${SEED_ARRIVAL}${createHash('sha256').update(`${upsertEventId}\n${userId}`).digest('hex').slice(0, 40)}`;
}

export function isSeedArrivalEventId(eventId: string): boolean {
  return eventId.startsWith(SEED_ARRIVAL);
}
