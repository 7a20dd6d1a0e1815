import type { Job, JobType, Queue } from 'bullmq';
import type { RedisClient } from '@coldstart/config';
import type { QueueName } from '@coldstart/pipeline';
import type { QueuePartitions } from '@coldstart/queues';

/**
 * One of the pools' queues in every queue partition, read as the tests read one BullMQ queue
 * (the same method names). A flow's jobs live in its root's partition, so a job is looked up in
 * each partition rather than in the one its own id picks.
 */
export class PartitionedQueue {
  private readonly queues: Queue[];

  constructor(name: QueueName, connection: RedisClient, partitions: QueuePartitions) {
    this.queues = partitions.queues(name, connection);
  }

  async getJob(id: string): Promise<Job | undefined> {
    for (const queue of this.queues) {
      const job = await queue.getJob(id);
      if (job) return job;
    }
    return undefined;
  }

  async getJobState(id: string): Promise<string> {
    for (const queue of this.queues) {
      const state = await queue.getJobState(id);
      if (state !== 'unknown') return state;
    }
    return 'unknown';
  }

  async getActiveCount(): Promise<number> {
    const counts = await Promise.all(this.queues.map((queue) => queue.getActiveCount()));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async getCompletedCount(): Promise<number> {
    const counts = await Promise.all(this.queues.map((queue) => queue.getCompletedCount()));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async getFailedCount(): Promise<number> {
    const counts = await Promise.all(this.queues.map((queue) => queue.getFailedCount()));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async getJobs(types: JobType[], start?: number, end?: number): Promise<Job[]> {
    return (await Promise.all(this.queues.map((queue) => queue.getJobs(types, start, end)))).flat();
  }

  async getFailed(): Promise<Job[]> {
    return (await Promise.all(this.queues.map((queue) => queue.getFailed()))).flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}
