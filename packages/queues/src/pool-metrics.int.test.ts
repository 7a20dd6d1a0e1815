import { FlowProducer, Queue, Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultRegistry } from '@coldstart/runtime';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { bullPrefix, QueuePartitions } from './queue-partitions.js';
import { readyAt, reportQueueDepth } from './pool-metrics.js';

// The scrape-time queue metrics and the ready time of flow parents, on the test redis-server.

describe('pool metrics on a real queue', () => {
  let fx: RedisFixture;
  const closers: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    fx = await createRedisFixture();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await fx.cleanup();
  });

  const sampleOf = (text: string, line: RegExp) => Number(line.exec(text)?.[1]);

  it('reports depth per state and the age of the oldest waiting job on scrape', async () => {
    const prefix = bullPrefix(fx.prefix);
    const queue = new Queue('expand', { connection: fx.redis, prefix });
    closers.push(() => queue.close());
    const stop = reportQueueDepth([queue], fx.redis);
    closers.push(async () => stop());
    await queue.add('expand-topics', { n: 1 }, { timestamp: Date.now() - 30_000 });
    await queue.add('expand-topics', { n: 2 });
    await queue.add('expand-topics', { n: 3 }, { delay: 60_000 });
    const text = await defaultRegistry.metrics();
    expect(text).toMatch(/^coldstart_queue_jobs\{queue="expand",state="waiting"\} 2$/m);
    expect(text).toMatch(/^coldstart_queue_jobs\{queue="expand",state="delayed"\} 1$/m);
    expect(text).toMatch(/^coldstart_queue_jobs\{queue="expand",state="failed"\} 0$/m);
    const age = sampleOf(text, /^coldstart_queue_oldest_waiting_seconds\{queue="expand"\} (\S+)$/m);
    expect(age).toBeGreaterThanOrEqual(29);
    expect(age).toBeLessThan(40);
    stop();
    // Only the depth gauges: pools of other files in this process count their jobs by queue too.
    expect(await defaultRegistry.metrics()).not.toMatch(/^coldstart_queue_(jobs|oldest_waiting_seconds)\{queue="expand"/m);
  });

  it('sums a queue over its partitions, and reports the oldest waiting job of any', async () => {
    const partitions = new QueuePartitions(fx.prefix, 3);
    const queues = partitions.prefixes.map((prefix) => new Queue('embed', { connection: fx.redis, prefix }));
    closers.push(() => Promise.all(queues.map((queue) => queue.close())));
    const stop = reportQueueDepth(queues, fx.redis);
    closers.push(async () => stop());
    await queues[0]!.add('embed-topics', { n: 1 });
    await queues[1]!.add('embed-topics', { n: 2 }, { timestamp: Date.now() - 60_000 });
    await queues[2]!.add('embed-topics', { n: 3 });
    await queues[2]!.add('embed-topics', { n: 4 }, { delay: 60_000 });
    const text = await defaultRegistry.metrics();
    expect(text).toMatch(/^coldstart_queue_jobs\{queue="embed",state="waiting"\} 3$/m);
    expect(text).toMatch(/^coldstart_queue_jobs\{queue="embed",state="delayed"\} 1$/m);
    expect(sampleOf(text, /^coldstart_queue_oldest_waiting_seconds\{queue="embed"\} (\S+)$/m)).toBeGreaterThanOrEqual(59);
    const other = new Queue('expand', { connection: fx.redis, prefix: partitions.prefixes[1]! });
    closers.push(() => other.close());
    expect(() => reportQueueDepth([queues[0]!, other], fx.redis)).toThrow(/partitions of one queue/);
  });

  it("dates a flow parent's readiness from its last child's finish, not from when it was added", async () => {
    const prefix = bullPrefix(fx.prefix);
    const flows = new FlowProducer({ connection: fx.redis, prefix });
    closers.push(() => flows.close());
    const connection = fx.redis.duplicate();
    closers.push(() => connection.quit());
    const added = Date.now();
    const { job: parent } = await flows.add({ name: 'embed-topics', queueName: 'embed', data: {}, children: [{ name: 'expand-topics', queueName: 'expand', data: {} }] });
    // Not a wait for something to happen: the gap between the parent's add and its child's
    // finish is what readyAt must measure (>= added + 300 below).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const worker = new Worker('expand', async () => ({ topics: ['x'] }), { connection, prefix });
    closers.push(() => worker.close());
    const embed = new Queue('embed', { connection: fx.redis, prefix });
    closers.push(() => embed.close());
    await vi.waitFor(async () => expect(await embed.getWaitingCount()).toBe(1), { timeout: 10_000, interval: 20 });
    const waiting = (await embed.getJob(parent.id!))!;
    expect(waiting.timestamp).toBeLessThan(added + 100);
    const ready = await readyAt(waiting, fx.redis);
    expect(ready).toBeGreaterThanOrEqual(added + 300);
    expect(ready).toBeLessThanOrEqual(Date.now());
    // A job without children is ready when added.
    const leaf = await embed.add('embed-item', {});
    expect(await readyAt(leaf, fx.redis)).toBe(leaf.timestamp);
  });
});
