import { randomUUID } from 'node:crypto';
import { BehaviourLog, BehaviourReplica, type BehaviourModel, type Interaction } from '@coldstart/behaviour';
import { createRedis } from '@coldstart/queues';
import { deleteKeysWithPrefix } from '@coldstart/testing';
import { deploymentPrefix, type RedisClient } from '@coldstart/config';

/** Rows learned per round trip: the writer's own batch bound (a learn-interactions job holds at most 1,000). */
const BATCH = 1_000;

/**
 * The behaviour model as the recommend pool holds it, built the way production builds it: the
 * training users' interactions go through the writer's learn script into a behaviour log in
 * Redis (under a prefix of this run's own, removed by `close`), and a BehaviourReplica replays
 * that log. Test users' signup seeds are learned the same way before their list is ranked, as
 * the signup flow does. No statistic of the eval's own reaches the ranking.
 */
export class EvalBehaviour {
  private constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly log: BehaviourLog,
    private readonly replica: BehaviourReplica,
  ) {}

  static async open(redisUrl: string): Promise<EvalBehaviour> {
    const redis = createRedis(redisUrl, 'producer');
    try {
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      throw new Error(`eval learns interactions through the behaviour log in Redis, and ${redisUrl} does not answer (start one with \`coldstart stack up\`, or set REDIS_URL): ${(error as Error).message}`);
    }
    const prefix = deploymentPrefix(redisUrl, `coldstart-eval-${randomUUID()}`);
    const log = new BehaviourLog(redis, prefix);
    return new EvalBehaviour(redis, prefix, log, new BehaviourReplica(log));
  }

  get model(): BehaviourModel {
    return this.replica.model;
  }

  /** The Redis the catalog of record is written to under this run's prefix (the learn script reads item categories from it). */
  get connection(): { redis: RedisClient; prefix: string } {
    return { redis: this.redis, prefix: this.prefix };
  }

  /** Learns interactions in order, then brings the model up to date. */
  async learn(interactions: readonly Interaction[], onProgress?: (done: number) => void): Promise<void> {
    for (let start = 0; start < interactions.length; start += BATCH) {
      await this.log.learn(interactions.slice(start, start + BATCH));
      onProgress?.(Math.min(interactions.length, start + BATCH));
    }
    await this.replica.catchUp();
  }

  /** Removes everything this run wrote, and disconnects. */
  async close(): Promise<void> {
    await deleteKeysWithPrefix(this.redis, this.prefix);
    await this.redis.quit();
  }
}
