/**
 * How many times a signup's jobs are retried (with the queue's backoff: 1 + 2 + 4 s) while a seed
 * item it names is not in the catalog or the index yet; SQS does not order the user and item
 * queues, so the item is usually seconds away. After that the user is served without it, and
 * their list is rebuilt when it arrives (graph.ts: upsert-item → refresh-user).
 */
export const SEED_WAIT_RETRIES = 3;
