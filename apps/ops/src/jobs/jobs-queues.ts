import { Job, type Queue } from 'bullmq';
import type { RedisClient } from '@coldstart/config';
import { QUEUE_NAMES, type QueueName } from '@coldstart/pipeline';
import { createRedis, QueuePartitions } from '@coldstart/queues';
import type { OpsConfig } from '../config.js';

export const JOB_QUEUE_CHOICES: readonly QueueName[] = QUEUE_NAMES;

/** The pools' BullMQ queues of one deployment (its COLDSTART_PREFIX), in each of its queue partitions, on one connection. */
export class JobQueues {
  private readonly queues = new Map<QueueName, Queue[]>();
  readonly partitions: QueuePartitions;
  private readonly redis: RedisClient;

  constructor(config: Pick<OpsConfig, 'REDIS_URL' | 'COLDSTART_PREFIX' | 'QUEUE_PARTITIONS'>) {
    this.partitions = QueuePartitions.of(config);
    this.redis = createRedis(config.REDIS_URL, 'producer');
  }

  /** The queue in every partition, indexed by partition. */
  inEveryPartition(name: QueueName): Queue[] {
    let queues = this.queues.get(name);
    if (!queues) this.queues.set(name, (queues = this.partitions.queues(name, this.redis)));
    return queues;
  }

  /** Every failed job of a queue, in every partition, most recent failure first. */
  async failed(name: QueueName): Promise<Job[]> {
    const jobs = (await Promise.all(this.inEveryPartition(name).map((queue) => allFailedJobs(queue)))).flat();
    return jobs.sort((a, b) => (b.finishedOn ?? b.timestamp) - (a.finishedOn ?? a.timestamp));
  }

  /** A job by its Redis key (`<partition prefix>:<queue>:<id>`), as parents list their children. */
  async jobByKey(key: string): Promise<{ queue: QueueName; job: Job } | undefined> {
    for (const [partition, prefix] of this.partitions.prefixes.entries()) {
      const ref = parseJobKey(key, prefix);
      if (!ref) continue;
      const job = await Job.fromId(this.inEveryPartition(ref.queue)[partition]!, ref.id);
      return job ? { queue: ref.queue, job } : undefined;
    }
    return undefined;
  }

  /** A job's parent, when it has one that still exists. */
  async parentOf(job: Job): Promise<{ queue: QueueName; job: Job } | undefined> {
    if (!job.parent) return undefined;
    return this.jobByKey(`${job.parent.queueKey}:${job.parent.id}`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].flat().map((queue) => queue.close()));
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

/** Every failed job of one partition's queue, most recent failure first, read in pages. */
async function allFailedJobs(queue: Queue, pageSize = 500): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let start = 0; ; start += pageSize) {
    const page = (await queue.getFailed(start, start + pageSize - 1)).filter((job): job is Job => Boolean(job));
    jobs.push(...page);
    if (page.length < pageSize) return jobs;
  }
}
