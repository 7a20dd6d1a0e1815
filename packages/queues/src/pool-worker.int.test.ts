import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { bullPrefix } from './connection.js';
import { createPoolWorker, type PoolHandlers } from './pool-worker.js';
import { job } from './queue-spec.js';

// The job's AbortSignal: aborted by the queue's timeout (the job fails with JobTimeoutError's
// message and is retried), and not by a job that finishes in time.

const SLOW = {
  name: 'slow',
  jobs: { wait: job(z.object({ eventId: z.string(), ms: z.number() }), z.object({ aborted: z.boolean() })) },
  policy: { attempts: 2, backoffMs: 50, timeoutMs: 300 },
};

describe("a pool job's signal", () => {
  let fx: RedisFixture;
  const closers: (() => Promise<unknown>)[] = [];
  beforeEach(async () => {
    fx = await createRedisFixture();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await fx.cleanup();
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
