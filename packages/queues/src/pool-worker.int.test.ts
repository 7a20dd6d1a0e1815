import { Queue, QueueEvents } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { bullPrefix } from './queue-partitions.js';
import { z } from 'zod';
import { createPoolWorker, type PoolHandlers } from './pool-worker.js';
import { job } from './queue-spec.js';

// A pool's worker on the test redis-server. JobContext.rateLimit: a dependency says "not now" (an
// LLM server's 429), the handler pauses the whole queue and hands its job back, which runs again
// after the pause without using an attempt; retryLater does that for one job. JobContext.signal:
// aborted by the queue's timeout (the attempt fails as a timeout), and not for a job in time.

/** A queue shaped like the pipeline's expand queue (the pipeline package declares the real one). */
const EXPAND = {
  name: 'expand',
  jobs: {
    'expand-topics': job(
      z.object({ eventId: z.string(), occurredAt: z.string(), userId: z.string(), categories: z.array(z.string()), seedItemIds: z.array(z.string()) }),
      z.object({ topics: z.array(z.string()), source: z.string(), expander: z.string() }),
    ),
  },
  policy: { attempts: 5, backoffMs: 1_000, timeoutMs: 60_000 },
};

/** A queue whose jobs wait `ms` unless their signal aborts first; its timeout is short. */
const SLOW = {
  name: 'slow',
  jobs: { wait: job(z.object({ eventId: z.string(), ms: z.number() }), z.object({ aborted: z.boolean() })) },
  policy: { attempts: 2, backoffMs: 50, timeoutMs: 300 },
};

describe('a pool worker on a real queue', () => {
  let fx: RedisFixture;
  const closers: (() => Promise<unknown>)[] = [];
  beforeEach(async () => {
    fx = await createRedisFixture();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await fx.cleanup();
  });

  it('re-runs the job after the pause, without spending an attempt, and holds every process\'s jobs meanwhile', async () => {
    const prefix = bullPrefix(fx.prefix);
    const queue = new Queue('expand', { connection: fx.redis, prefix });
    const events = new QueueEvents('expand', { connection: fx.redis.duplicate(), prefix });
    closers.push(() => queue.close(), () => events.close());
    const started: { userId: string; at: number }[] = [];
    let paused = false;
    const handlers: PoolHandlers<typeof EXPAND> = {
      'expand-topics': async (data, { rateLimit }) => {
        started.push({ userId: data.userId, at: Date.now() });
        if (data.userId === 'u1' && !paused) {
          paused = true;
          throw await rateLimit(700);
        }
        return { topics: ['a'], source: 'catalog', expander: 'test' };
      },
    };
    let pausedAt = 0;
    const pauseQueue = async (ms: number) => {
      pausedAt = Date.now();
      await queue.rateLimit(ms);
    };
    // Two workers, as two expand processes would run: the pause must hold the other one too.
    const workers = [1, 2].map(() => createPoolWorker(EXPAND, handlers, { connection: fx.redis.duplicate(), prefix, concurrency: 1, limiter: { max: 1_000_000, durationMs: 1_000 }, pauseQueue }));
    for (const worker of workers) closers.push(() => worker.close());
    await events.waitUntilReady();
    const job = (userId: string) => queue.add('expand-topics', { eventId: `e-${userId}`, occurredAt: new Date().toISOString(), userId, categories: ['x'], seedItemIds: [] }, { attempts: 1 });
    const first = await job('u1');
    void workers[0]!.run();
    while (!paused) await new Promise((resolve) => setTimeout(resolve, 10));
    void workers[1]!.run();
    const second = await job('u2');
    await Promise.all([first.waitUntilFinished(events, 10_000), second.waitUntilFinished(events, 10_000)]);

    const done = await queue.getJob(first.id!);
    expect(done?.returnvalue).toEqual({ topics: ['a'], source: 'catalog', expander: 'test' });
    // attempts: 1, yet it ran twice: the pause did not count as a failed attempt.
    expect(started.filter((s) => s.userId === 'u1')).toHaveLength(2);
    expect(await queue.getFailedCount()).toBe(0);
    // Nothing started during the pause, not even the other job.
    for (const s of started.slice(1)) expect(s.at - pausedAt).toBeGreaterThanOrEqual(600);
  });

  it('puts only the one job back with retryLater, without spending an attempt, while the others run', async () => {
    const prefix = bullPrefix(fx.prefix);
    const queue = new Queue('expand', { connection: fx.redis, prefix });
    const events = new QueueEvents('expand', { connection: fx.redis.duplicate(), prefix });
    closers.push(() => queue.close(), () => events.close());
    const started: { userId: string; at: number }[] = [];
    let delayedAt = 0;
    const handlers: PoolHandlers<typeof EXPAND> = {
      'expand-topics': async (data, { retryLater }) => {
        started.push({ userId: data.userId, at: Date.now() });
        if (data.userId === 'u1' && delayedAt === 0) {
          delayedAt = Date.now();
          // Asked twice in one attempt, as the entries of a batch job do: the first wait stands.
          const [first, again] = await Promise.all([retryLater(800), retryLater(100)]);
          expect(again).toBe(first);
          throw first;
        }
        return { topics: ['a'], source: 'catalog', expander: 'test' };
      },
    };
    const worker = createPoolWorker(EXPAND, handlers, { connection: fx.redis.duplicate(), prefix, concurrency: 1 });
    closers.push(() => worker.close());
    await events.waitUntilReady();
    const job = (userId: string) => queue.add('expand-topics', { eventId: `e-${userId}`, occurredAt: new Date().toISOString(), userId, categories: ['x'], seedItemIds: [] }, { attempts: 1 });
    const first = await job('u1');
    void worker.run();
    while (delayedAt === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await job('u2');
    await Promise.all([first.waitUntilFinished(events, 10_000), second.waitUntilFinished(events, 10_000)]);

    expect((await queue.getJob(first.id!))?.returnvalue).toEqual({ topics: ['a'], source: 'catalog', expander: 'test' });
    expect(await queue.getFailedCount()).toBe(0);
    const runs = (userId: string) => started.filter((s) => s.userId === userId);
    expect(runs('u1')).toHaveLength(2);
    expect(runs('u1')[1]!.at - delayedAt).toBeGreaterThanOrEqual(750);
    // The other job did not wait for the delayed one.
    expect(runs('u2')[0]!.at - delayedAt).toBeLessThan(500);
  });

  it('aborts a handler that outlives the queue timeout, fails the attempt as a timeout, and leaves one that finishes in time alone', async () => {
    const prefix = bullPrefix(fx.prefix);
    const queue = new Queue('slow', { connection: fx.redis, prefix });
    closers.push(() => queue.close());
    const reasons: unknown[] = [];
    const handlers: PoolHandlers<typeof SLOW> = {
      wait: (data, { signal }) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => resolve({ aborted: signal.aborted }), data.ms);
          signal.addEventListener('abort', () => {
            reasons.push(signal.reason);
            clearTimeout(timer);
            resolve({ aborted: true });
          });
        }),
    };
    const worker = createPoolWorker(SLOW, handlers, { connection: fx.redis.duplicate(), prefix, concurrency: 2 });
    closers.push(() => worker.close());
    void worker.run();
    const slow = await queue.add('wait', { eventId: 'e-slow', ms: 5_000 }, { attempts: 2, backoff: { type: 'fixed', delay: 50 } });
    const quick = await queue.add('wait', { eventId: 'e-quick', ms: 20 });
    await vi.waitFor(async () => expect(await queue.getJobState(slow.id!)).toBe('failed'), { timeout: 10_000, interval: 50 });
    await vi.waitFor(async () => expect(await queue.getJobState(quick.id!)).toBe('completed'), { timeout: 10_000, interval: 50 });
    const failed = await queue.getJob(slow.id!);
    expect(failed?.failedReason).toBe('job did not finish within 300 ms');
    expect(failed?.attemptsMade).toBe(2);
    expect(reasons).toHaveLength(2);
    for (const reason of reasons) expect(reason).toMatchObject({ name: 'JobTimeoutError' });
    expect((await queue.getJob(quick.id!))?.returnvalue).toEqual({ aborted: false });
  });
});
