import { Queue, UnrecoverableError, Worker, type Job, type Processor } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type QueueName } from '@coldstart/pipeline';
import { createFlowProducer, QueuePartitions } from '@coldstart/queues';
import { PartitionedQueue } from '../support/partitioned-queue.js';
import { OpsStack } from './ops-stack.js';

/**
 * `coldstart jobs failed|retry|clean` against real BullMQ queues under the test's prefix, with
 * in-test workers standing in for the pools: first ones that fail, then ones that work. The
 * queues are in three partitions (QUEUE_PARTITIONS), partition 0 under the names of a
 * deployment without partitions: the failed jobs and flows spread over them, and the commands
 * must find them in each.
 */
describe.each([3])('coldstart jobs, queues in %i partitions', (count) => {
  let stack: OpsStack;
  let partitions: QueuePartitions;
  const workers = new Map<QueueName, Worker[]>();
  const queues = {} as Record<QueueName, PartitionedQueue>;
  const cli = (args: readonly string[]) => stack.cli(args, { QUEUE_PARTITIONS: String(count) });

  /** A worker on each partition, as a pool process runs. */
  const serve = async (queue: QueueName, processor: Processor) => {
    await Promise.all((workers.get(queue) ?? []).map((worker) => worker.close()));
    const serving = partitions.prefixes.map((prefix) => new Worker(queue, processor, { connection: stack.fx.redis, prefix, concurrency: 4 }));
    for (const worker of serving) worker.on('error', () => {});
    workers.set(queue, serving);
  };
  /** Completes with the children's results, as a parent stage reads them. */
  const parentStage: Processor = async (job: Job) => ({ stage: job.name, children: Object.values(await job.getChildrenValues()) });
  const failedCount = (queue: QueueName) => queues[queue].getFailedCount();

  beforeAll(async () => {
    stack = await OpsStack.start();
    partitions = new QueuePartitions(stack.fx.prefix, count);
    for (const name of ['expand', 'embed', 'index', 'recommend'] as const) queues[name] = new PartitionedQueue(name, stack.fx.redis, partitions);

    // index: plain jobs that fail for good, with ids in their messages.
    await serve('index', async (job: Job) => {
      throw new UnrecoverableError(`item ${String(job.data.itemId)} not found (attempt ${job.attemptsMade + 1})`);
    });
    for (const itemId of [11, 222, 3333]) {
      const jobId = `upsert-${itemId}`;
      const index = new Queue('index', { connection: stack.fx.redis, prefix: partitions.prefixOf(jobId) });
      await index.add('upsert-item', { itemId }, { jobId });
      await index.close();
    }

    // Flows as the ingest adds them: recommend ← embed ← expand, failParentOnFailure; expand fails.
    await serve('expand', async () => {
      throw new UnrecoverableError('expander unavailable');
    });
    await serve('embed', parentStage);
    await serve('recommend', parentStage);
    const flows = createFlowProducer(stack.fx.redis, partitions);
    for (const user of ['u1', 'u2']) {
      await flows.add({
        queueName: 'recommend',
        name: 'recommend-user',
        data: { userId: user },
        opts: { jobId: `recommend-${user}` },
        children: [
          {
            queueName: 'embed',
            name: 'embed-topics',
            data: { userId: user },
            opts: { jobId: `embed-${user}`, failParentOnFailure: true },
            children: [{ queueName: 'expand', name: 'expand-topics', data: { userId: user }, opts: { jobId: `expand-${user}`, failParentOnFailure: true } }],
          },
        ],
      });
    }
    await flows.close();
    await vi.waitFor(
      async () => {
        expect(await failedCount('index')).toBe(3);
        for (const q of ['expand', 'embed', 'recommend'] as const) expect(await failedCount(q)).toBe(2);
      },
      { timeout: 15_000, interval: 100 },
    );
  });

  afterAll(async () => {
    await Promise.all([...workers.values()].flat().map((w) => w.close()));
    await Promise.all(Object.values(queues).map((q) => q.close()));
    await stack?.stop();
  });

  it('groups failed jobs by their message with ids and numbers normalised', async () => {
    const index = await cli(['jobs', 'failed', '--queue', 'index', '--json']);
    expect(index.code, index.stderr).toBe(0);
    const report = JSON.parse(index.stdout);
    expect(report).toMatchObject({ queue: 'index', total: 3 });
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]).toMatchObject({ reason: 'item <n> not found (attempt <n>)', count: 3, jobNames: ['upsert-item'] });
    expect(['upsert-11', 'upsert-222', 'upsert-3333']).toContain(report.groups[0].exampleJobId);

    const recommend = JSON.parse((await cli(['jobs', 'failed', '--queue', 'recommend', '--json'])).stdout);
    expect(recommend.total).toBe(2);
    expect(recommend.groups).toEqual([expect.objectContaining({ count: 2, reason: expect.stringMatching(/^child .*:embed:embed-<id> failed$/) })]);

    const text = await cli(['jobs', 'failed', '--queue', 'expand']);
    expect(text.stdout).toMatch(/expand: 2 failed jobs/);
    expect(text.stdout).toMatch(/\s2 .*expander unavailable/);
  });

  it('plans a flow\'s retry bottom-up on --dry-run and changes nothing', async () => {
    const dry = await cli(['jobs', 'retry', '--queue', 'recommend', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan).toMatchObject({ dryRun: true, selected: 2, retried: 0, failed: 0 });
    expect(plan.jobs.map((j: { queue: string; jobId: string; via: string; outcome: string }) => `${j.queue}/${j.jobId}/${j.via}/${j.outcome}`).sort()).toEqual([
      'embed/embed-u1/flow/would-retry',
      'embed/embed-u2/flow/would-retry',
      'expand/expand-u1/flow/would-retry',
      'expand/expand-u2/flow/would-retry',
      'recommend/recommend-u1/selected/would-retry',
      'recommend/recommend-u2/selected/would-retry',
    ]);
    // Children come before their parents.
    const order = plan.jobs.map((j: { queue: string }) => j.queue);
    expect(order.lastIndexOf('expand')).toBeLessThan(order.indexOf('embed'));
    expect(order.lastIndexOf('embed')).toBeLessThan(order.indexOf('recommend'));
    for (const q of ['expand', 'embed', 'recommend'] as const) expect(await failedCount(q)).toBe(2);
  });

  it('retries a failed flow from its failed leaf up, so the parent completes with its children\'s results', async () => {
    await serve('expand', async (job: Job) => ({ topics: [`topics of ${String(job.data.userId)}`] }));
    // Selecting the failed child brings its failed parents along.
    const retry = await cli(['jobs', 'retry', '--queue', 'expand', '--max', '1', '--json']);
    expect(retry.code, retry.stderr).toBe(0);
    const report = JSON.parse(retry.stdout);
    expect(report).toMatchObject({ selected: 1, retried: 3, failed: 0 });
    const user = (report.jobs[0].jobId as string).replace('expand-', '');
    expect(report.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([`expand-${user}`, `embed-${user}`, `recommend-${user}`]);

    const rest = await cli(['jobs', 'retry', '--queue', 'recommend', '--since', '1h', '--json']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(JSON.parse(rest.stdout)).toMatchObject({ selected: 1, retried: 3, failed: 0 });

    for (const u of ['u1', 'u2']) {
      await vi.waitFor(async () => expect(await queues.recommend.getJobState(`recommend-${u}`)).toBe('completed'), { timeout: 15_000, interval: 100 });
      const job = await queues.recommend.getJob(`recommend-${u}`);
      expect(job?.returnvalue).toEqual({
        stage: 'recommend-user',
        children: [{ stage: 'embed-topics', children: [{ topics: [`topics of ${u}`] }] }],
      });
    }
    for (const q of ['expand', 'embed', 'recommend'] as const) expect(await failedCount(q)).toBe(0);
  });

  it('retries only jobs that failed within --since and at most --max', async () => {
    const none = JSON.parse((await cli(['jobs', 'retry', '--queue', 'index', '--since', '1ms', '--json'])).stdout);
    expect(none).toMatchObject({ selected: 0, retried: 0, jobs: [] });
    await serve('index', async (job: Job) => ({ itemId: String(job.data.itemId), outcome: 'applied' }));
    const one = JSON.parse((await cli(['jobs', 'retry', '--queue', 'index', '--max', '1', '--json'])).stdout);
    expect(one).toMatchObject({ selected: 1, retried: 1, failed: 0 });
    await vi.waitFor(async () => expect(await failedCount('index')).toBe(2), { timeout: 10_000, interval: 100 });
    expect(await queues.index.getJobState(one.jobs[0].jobId)).toMatch(/completed|active|waiting/);
  });

  it('cleans failed jobs older than asked, only with --yes, and names what it removed', async () => {
    const refused = await cli(['jobs', 'clean', '--queue', 'index', '--older-than', '0s']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refusing to remove failed jobs from index without --yes/);
    expect(await failedCount('index')).toBe(2);

    const young = JSON.parse((await cli(['jobs', 'clean', '--queue', 'index', '--older-than', '1h', '--yes', '--json'])).stdout);
    expect(young).toMatchObject({ removed: 0, jobs: [] });

    const cleaned = await cli(['jobs', 'clean', '--queue', 'index', '--older-than', '0s', '--yes', '--json']);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    const report = JSON.parse(cleaned.stdout);
    expect(report.removed).toBe(2);
    for (const job of report.jobs) {
      expect(job).toMatchObject({ name: 'upsert-item', failedReason: expect.stringMatching(/^item \d+ not found/) });
    }
    expect(await failedCount('index')).toBe(0);
  });
});
