import { Job, Queue } from 'bullmq';
import type { RedisClient } from '@coldstart/config';
import { QUEUE_NAMES, type QueueName } from '@coldstart/pipeline';
import { bullPrefix, createRedis } from '@coldstart/queues';
import type { OpsConfig } from '../config.js';

export const JOB_QUEUE_CHOICES: readonly QueueName[] = QUEUE_NAMES;

/** The pools' BullMQ queues of one deployment (its COLDSTART_PREFIX), on one connection. */
export class JobQueues {
  private readonly queues = new Map<QueueName, Queue>();
  readonly prefix: string;
  private readonly redis: RedisClient;

  constructor(config: Pick<OpsConfig, 'REDIS_URL' | 'COLDSTART_PREFIX'>) {
    this.prefix = bullPrefix(config.COLDSTART_PREFIX);
    this.redis = createRedis(config.REDIS_URL, 'producer');
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** A job by its Redis key (`<prefix>:<queue>:<id>`), as parents list their children. */
  async jobByKey(key: string): Promise<{ queue: QueueName; job: Job } | undefined> {
    const ref = parseJobKey(key, this.prefix);
    if (!ref) return undefined;
    const job = await Job.fromId(this.queue(ref.queue), ref.id);
    return job ? { queue: ref.queue, job } : undefined;
  }

  /** A job's parent, when it has one that still exists. */
  async parentOf(job: Job): Promise<{ queue: QueueName; job: Job } | undefined> {
    if (!job.parent) return undefined;
    return this.jobByKey(`${job.parent.queueKey}:${job.parent.id}`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

export function parseJobKey(key: string, prefix: string): { queue: QueueName; id: string } | undefined {
  if (!key.startsWith(`${prefix}:`)) return undefined;
  const rest = key.slice(prefix.length + 1);
  const colon = rest.indexOf(':');
  if (colon < 0) return undefined;
  const queue = rest.slice(0, colon);
  const id = rest.slice(colon + 1);
  return (QUEUE_NAMES as readonly string[]).includes(queue) && id.length > 0 ? { queue: queue as QueueName, id } : undefined;
}

/** Every failed job of a queue, most recent failure first, read in pages. */
export async function allFailedJobs(queue: Queue, pageSize = 500): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let start = 0; ; start += pageSize) {
    const page = (await queue.getFailed(start, start + pageSize - 1)).filter((job): job is Job => Boolean(job));
    jobs.push(...page);
    if (page.length < pageSize) return jobs;
  }
}
