import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemDeletedExample, itemUpsertedExample, parseEventBody, userInteractionExample, userSignupExample } from '@coldstart/events';
import { OpsStack } from './ops-stack.js';

const interaction = (i: number) => JSON.stringify({ ...userInteractionExample, eventId: `send-interaction-${i}`, itemId: `book-${i}` });
const signup = (i: number) => JSON.stringify({ ...userSignupExample, eventId: `send-signup-${i}`, userId: `reader-${i}` });
const BAD_RATING = JSON.stringify({ ...userInteractionExample, eventId: 'send-bad', rating: 9 });

/**
 * `coldstart events send` against the SQS emulator: valid lines arrive in the queue unchanged,
 * invalid ones are named by line number on stderr and never sent, and `events validate` still
 * answers from the same `events` group.
 */
describe('coldstart events send', () => {
  let stack: OpsStack;

  /** Every body in the queue, received and deleted. */
  const drain = async (queueUrl: string): Promise<string[]> => {
    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return bodies;
      bodies.push(...Messages.map((m) => m.Body ?? ''));
      await stack.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
  };

  beforeAll(async () => {
    stack = await OpsStack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('sends the valid lines of a file and reports the invalid ones by line number, exiting 1', async () => {
    const valid = [...Array.from({ length: 23 }, (_, i) => interaction(i)), signup(1)];
    const lines = [valid[0], '{not json', ...valid.slice(1, 12), '', BAD_RATING, ...valid.slice(12)];
    const file = join(stack.stateDir, 'user-events.jsonl');
    writeFileSync(file, `${lines.join('\r\n')}\n`);

    const result = await stack.cli(['events', 'send', '--queue', 'user-events', '--file', file, '--json']);
    expect(result.code, result.stderr).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ sent: 24, invalid: 2, failed: 0 });
    const problems = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { line: number; error: string });
    expect(problems.map((p) => p.line)).toEqual([2, 15]);
    // The ingest's own reason.
    expect(problems[1]?.error).toBe((parseEventBody(BAD_RATING) as { error: string }).error);
    // The progress bar ends with the last line read.
    expect(result.stderr).toMatch(/send .*user-events.* 27\/27 \(24 sent, 2 invalid\)/);
    expect((await drain(stack.userQueue.url)).sort()).toEqual([...valid].sort());
  });

  it('reads stdin, sends to the item queue at --rate, and exits 0 when every line was valid', async () => {
    const bodies = Array.from({ length: 15 }, (_, i) => JSON.stringify({ ...itemUpsertedExample, eventId: `send-item-${i}`, itemId: `book-${i}` }));
    bodies.push(JSON.stringify({ ...itemDeletedExample, eventId: 'send-delete' }));
    const started = Date.now();
    const result = await stack.cli(['events', 'send', '--queue', 'item-events', '--rate', '10', '--json'], {}, `${bodies.join('\n')}\n`);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ sent: 16, invalid: 0, failed: 0 });
    // 16 messages at 10/s: the second batch waits a second for the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect((await drain(stack.itemQueue.url)).sort()).toEqual([...bodies].sort());
  });

  it('prints a summary for people, and keeps events validate beside send', async () => {
    const result = await stack.cli(['events', 'send', '--queue', 'user-events'], {}, `${interaction(100)}\n{}\n`);
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe('sent 1, invalid 1');
    expect((await drain(stack.userQueue.url)).length).toBe(1);

    const validate = await stack.cli(['events', 'validate'], {}, `${JSON.stringify({ body: interaction(1) })}\n`);
    expect(validate.code, validate.stderr).toBe(0);
    expect(JSON.parse(validate.stdout)).toEqual({ ok: true, type: 'user.interaction' });
    const help = await stack.cli(['events', '--help']);
    expect(help.stdout).toMatch(/validate/);
    expect(help.stdout).toMatch(/send/);
  });

  it('fails with the queue named when it does not exist', async () => {
    const result = await stack.cli(['events', 'send', '--queue', 'user-events'], { USER_EVENTS_QUEUE: 'no-such-queue' }, `${interaction(1)}\n`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no-such-queue/);
  });
});
