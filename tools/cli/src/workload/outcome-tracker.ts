import type { RedisClient } from '@coldstart/config';
import { QUEUE_NAMES } from '@coldstart/pipeline';
import type { QueuePartitions } from '@coldstart/queues';
import { CatalogStore, storeKeys, type RecommendationList } from '@coldstart/store';
import type { Queue } from 'bullmq';

export interface TrackedItem {
  itemId: string;
  eventId: string;
}

export interface TrackedUser {
  userId: string;
  eventId: string;
}

/**
 * What the stack has done with the run's events, read from Redis the way product systems read
 * it: an item counts once the catalog holds its event's mutation, a user once a list was stored
 * for their signup event. Found lists are kept, so polling asks only for the rest. A later
 * interaction may have replaced the signup's list before a poll saw it; the store's record of
 * the events that wrote a user's list still shows the signup's, and the list kept is then the
 * newer one (its generatedAt is later than the signup's list was).
 */
export class OutcomeTracker {
  readonly lists = new Map<string, RecommendationList>();
  private readonly indexed = new Set<string>();
  private readonly catalog: CatalogStore;
  private readonly queues: Queue[];
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisClient,
    /** The deployment's queue partitions, and through them its key prefix. */
    partitions: QueuePartitions,
    private readonly items: readonly TrackedItem[],
    private readonly users: readonly TrackedUser[],
  ) {
    this.prefix = partitions.keyPrefix;
    this.catalog = new CatalogStore(redis, this.prefix);
    this.queues = QUEUE_NAMES.flatMap((name) => partitions.queues(name, redis));
    // Chaos crashes Redis on purpose: the shared connection reconnects by itself, and a queue
    // without a listener would print each refused reconnect as an unhandled error.
    for (const queue of this.queues) queue.on('error', () => undefined);
  }

  get indexedCount(): number {
    return this.indexed.size;
  }

  isIndexed(itemId: string): boolean {
    return this.indexed.has(itemId);
  }

  async poll(): Promise<void> {
    const pendingItems = this.items.filter((item) => !this.indexed.has(item.itemId));
    for (let i = 0; i < pendingItems.length; i += 1000) {
      const chunk = pendingItems.slice(i, i + 1000);
      const applied = await this.catalog.appliedEvents(chunk.map((item) => item.itemId));
      for (const item of chunk) if (applied.get(item.itemId) === item.eventId) this.indexed.add(item.itemId);
    }
    const keys = storeKeys(this.prefix);
    const pendingUsers = this.users.filter((user) => !this.lists.has(user.userId));
    for (let i = 0; i < pendingUsers.length; i += 1000) {
      const chunk = pendingUsers.slice(i, i + 1000);
      // Command by command (the client pipelines them per node): each user's list is in the user's own slot.
      const [raw, signupWritten] = await Promise.all([
        Promise.all(chunk.map((user) => this.redis.get(keys.recommendations(user.userId)))),
        Promise.all(chunk.map(async (user) => (await this.redis.sismember(keys.recommendationEvents(user.userId), user.eventId)) === 1)),
      ]);
      chunk.forEach((user, j) => {
        const text = raw[j];
        if (!text) return;
        const list = JSON.parse(text) as RecommendationList;
        if (list.eventId === user.eventId || signupWritten[j]) this.lists.set(user.userId, list);
      });
    }
  }

  /** Jobs not yet finished in any pool's queue (every partition): waiting, active, delayed or waiting for children. */
  async unfinishedJobs(): Promise<number> {
    let total = 0;
    for (const queue of this.queues) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      total += Object.values(counts).reduce((sum, n) => sum + n, 0);
    }
    return total;
  }

  async failedJobs(): Promise<number> {
    let total = 0;
    for (const queue of this.queues) total += (await queue.getJobCounts('failed')).failed ?? 0;
    return total;
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}
