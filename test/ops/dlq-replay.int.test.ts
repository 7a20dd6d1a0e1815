import { ReceiveMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadFold, type Book } from '@coldstart/goodbooks';
import { CatalogStore } from '@coldstart/store';
import { signup, upserted } from '../support/book-events.js';
import { OpsStack, WORKERS } from './ops-stack.js';

type Signup = ReturnType<typeof signup>;

/**
 * The operations issue's "done when": signups that failed for a fixable reason (Redis
 * unreachable) reach the user-events DLQ by redrive; once the cause is fixed, `coldstart dlq
 * replay` brings every one of them through the pipeline exactly once, also when the replay
 * itself is killed half-way.
 */
describe('coldstart dlq replay, end to end', () => {
  let stack: OpsStack;
  let books: Book[];

  beforeAll(async () => {
    stack = await OpsStack.start({ maxReceiveCount: 2, visibilityTimeoutSeconds: 1 });
    books = (await loadFold('a')).books.slice(0, 40);
    for (const app of WORKERS) stack.startApp(app);
    // The catalog the replayed signups are recommended from.
    stack.startApp('ingest');
    await stack.publish(stack.itemQueue, books.map((b) => JSON.stringify(upserted(b))));
    const catalog = new CatalogStore(stack.fx.redis, stack.fx.prefix);
    await vi.waitFor(async () => expect(await catalog.liveCount()).toBe(books.length), { timeout: 30_000, interval: 200 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const dlqTotal = async () => {
    const counts = await stack.counts(stack.userQueue.deadLetter.url);
    return counts.visible + counts.inFlight;
  };

  const visibilityTimeout = (seconds: number) =>
    stack.sqs.send(new SetQueueAttributesCommand({ QueueUrl: stack.userQueue.url, Attributes: { VisibilityTimeout: String(seconds) } }));

  /** Signups through an ingest whose Redis is unreachable: each fails twice, then SQS moves it to the DLQ. */
  const poison = async (users: Signup[]) => {
    await stack.stopApp('ingest');
    await visibilityTimeout(1);
    const broken = stack.startApp('ingest', { REDIS_URL: 'redis://127.0.0.1:1' }, 'broken-ingest');
    await stack.publish(stack.userQueue, users.map((u) => JSON.stringify(u)));
    await vi.waitFor(
      async () => {
        expect((await stack.counts(stack.userQueue.deadLetter.url)).visible).toBe(users.length);
        expect(await stack.counts(stack.userQueue.url)).toEqual({ visible: 0, inFlight: 0 });
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(broken.output()).toMatch(/message not handled; it will be received again/);
    await stack.stopApp('broken-ingest', 'SIGKILL');
  };

  /** "Fix the cause": the real ingest with a working Redis, and a visibility timeout fit for work. */
  const fixedIngest = async () => {
    await visibilityTimeout(15);
    stack.startApp('ingest');
  };

  const expectServedOnce = async (users: Signup[]) => {
    const store = stack.store();
    await vi.waitFor(
      async () => {
        const lists = await Promise.all(users.map((u) => store.get(u.userId)));
        expect(lists.filter((list, i) => list?.eventId === users[i]!.eventId && list.items.length > 0)).toHaveLength(users.length);
      },
      { timeout: 45_000, interval: 250 },
    );
    expect(await store.repeatedEvents()).toBe(0);
    for (const user of users) expect(await stack.fx.redis.scard(`${stack.fx.prefix}:recs:${user.userId}:events`), user.userId).toBe(1);
    await vi.waitFor(async () => expect(await dlqTotal()).toBe(0), { timeout: 10_000, interval: 100 });
  };

  it('lists the redriven signups, moves nothing on --dry-run, then replays each into exactly one list', async () => {
    const users = Array.from({ length: 12 }, (_, i) => signup(`dlq-user-${i}`, books[i]!));
    await poison(users);
    await fixedIngest();

    const list = await stack.cli(['dlq', 'list', '--queue', 'user-events', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const summary = JSON.parse(list.stdout);
    expect(summary).toMatchObject({ queue: stack.userQueue.name, deadLetterQueue: stack.userQueue.deadLetter.name, total: users.length });
    expect(summary.byReason).toEqual([{ reason: 'redrive: failed processing 2× (maxReceiveCount exceeded)', kind: 'redrive', count: users.length }]);
    expect(summary.byType).toEqual([{ type: 'user.signup', count: users.length }]);
    expect(summary.oldest.ageSeconds).toBeGreaterThanOrEqual(0);

    const dryRun = await stack.cli(['dlq', 'replay', '--queue', 'user-events', '--dry-run', '--json']);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(JSON.parse(dryRun.stdout)).toMatchObject({ moved: 0, skipped: 0, failed: 0, dryRun: true, wouldMove: users.length });
    expect(await stack.counts(stack.userQueue.deadLetter.url)).toEqual({ visible: users.length, inFlight: 0 });
    expect(await stack.counts(stack.userQueue.url)).toEqual({ visible: 0, inFlight: 0 });

    // Nothing that does not match moves either.
    const filtered = await stack.cli(['dlq', 'replay', '--queue', 'user-events', '--type', 'item.upserted', '--json']);
    expect(JSON.parse(filtered.stdout)).toEqual({ moved: 0, skipped: users.length, failed: 0 });
    expect(await dlqTotal()).toBe(users.length);

    const replay = await stack.cli(['dlq', 'replay', '--queue', 'user-events', '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual({ moved: users.length, skipped: 0, failed: 0 });
    expect(replay.stderr).toMatch(/no StartMessageMoveTask; replaying message by message/);
    expect(replay.stderr).toMatch(/replay \[#+\] 12\/12 \(12 moved, 0 skipped, 0 failed\)/);
    await expectServedOnce(users);
  });

  it('loses nothing when the replay is killed half-way, and absorbs what it sent twice', async () => {
    const users = Array.from({ length: 16 }, (_, i) => signup(`dlq-crash-${i}`, books[i + 12]!));
    await poison(users);
    await fixedIngest();

    const killed = stack.spawnCli(['dlq', 'replay', '--queue', 'user-events', '--rate', '4/s', '--json']);
    await vi.waitFor(async () => expect(users.length - (await dlqTotal())).toBeGreaterThanOrEqual(4), { timeout: 15_000, interval: 20 });
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toBe('SIGKILL');
    const left = await dlqTotal();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(users.length);

    // A kill between "send to the source" and "delete from the DLQ" leaves a message in both:
    // make sure at least one is, exactly as such a kill leaves it.
    const { Messages: [stranded] = [] } = await stack.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.userQueue.deadLetter.url, MaxNumberOfMessages: 1, VisibilityTimeout: 1, WaitTimeSeconds: 1 }),
    );
    expect(stranded?.Body).toBeDefined();
    await stack.publish(stack.userQueue, [stranded!.Body!]);

    const rerun = await stack.cli(['dlq', 'replay', '--queue', 'user-events', '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout)).toEqual({ moved: left, skipped: 0, failed: 0 });
    await expectServedOnce(users);
    expect(stack.apps.get('ingest')!.output()).toMatch(/duplicate event dropped/);
  });
});
