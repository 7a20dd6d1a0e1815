import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { itemUpsertedExample, parseEventBody, userSignupExample } from '@coldstart/events';
import { OpsStack } from './ops-stack.js';

const NOT_JSON = '{not json';
const badRating = (i: number) => {
  const event = structuredClone(userSignupExample);
  event.eventId = `bad-rating-${i}`;
  event.interests.items![0]!.rating = 7;
  return JSON.stringify(event);
};
const reasonOf = (body: string) => {
  const parsed = parseEventBody(body);
  if (parsed.ok) throw new Error('expected an invalid body');
  return parsed.error;
};

/**
 * Hostile bodies sent through the real ingest land in the DLQs with their reasons; `coldstart
 * dlq list|peek|purge` read them by reason and type without consuming them, and purge only
 * with --yes.
 */
describe('coldstart dlq list, peek and purge', () => {
  let stack: OpsStack;
  const userBodies = [NOT_JSON, NOT_JSON, NOT_JSON, badRating(1), badRating(2)];
  const { title: _title, ...untitled } = itemUpsertedExample;
  const itemBodies = [JSON.stringify(untitled)];

  beforeAll(async () => {
    stack = await OpsStack.start();
    stack.startApp('ingest');
    await stack.publish(stack.userQueue, userBodies);
    await stack.publish(stack.itemQueue, itemBodies);
    await vi.waitFor(
      async () => {
        expect((await stack.counts(stack.userQueue.deadLetter.url)).visible).toBe(userBodies.length);
        expect((await stack.counts(stack.itemQueue.deadLetter.url)).visible).toBe(itemBodies.length);
      },
      { timeout: 20_000, interval: 100 },
    );
    await stack.stopApp('ingest');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const dlqCounts = () => stack.counts(stack.userQueue.deadLetter.url);

  it('counts the dead letters by reason and by type, without consuming them', async () => {
    const list = await stack.cli(['dlq', 'list', '--queue', 'user-events', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const summary = JSON.parse(list.stdout);
    expect(summary.total).toBe(5);
    expect(summary.byReason).toEqual([
      { reason: reasonOf(NOT_JSON), kind: 'invalid', count: 3 },
      { reason: reasonOf(badRating(1)), kind: 'invalid', count: 2 },
    ]);
    expect(summary.byType).toEqual([
      { type: 'unknown', count: 3 },
      { type: 'user.signup', count: 2 },
    ]);
    expect(summary.groups).toEqual([
      { reason: reasonOf(NOT_JSON), type: 'unknown', count: 3 },
      { reason: 'interests.items[0].rating: must be an integer 1–5', type: 'user.signup', count: 2 },
    ]);
    expect(summary.oldest.ageSeconds).toBeLessThan(60);
    expect(summary.approximate).toEqual({ visible: 5, notVisible: 0 });
    expect(await dlqCounts()).toEqual({ visible: 5, inFlight: 0 });

    const items = JSON.parse((await stack.cli(['dlq', 'list', '--queue', 'item-events', '--json'])).stdout);
    expect(items).toMatchObject({ total: 1, byType: [{ type: 'item.upserted', count: 1 }] });
    expect(items.byReason[0].reason).toMatch(/title/);

    const text = await stack.cli(['dlq', 'list', '--queue', 'user-events']);
    expect(text.stdout).toContain(`${stack.userQueue.deadLetter.name}: 5 messages`);
    expect(text.stdout).toMatch(/\s3 {2}unknown +body is not valid JSON/);
  });

  it('peeks at bodies with reason, receive count and first failure, and leaves them there', async () => {
    const peek = await stack.cli(['dlq', 'peek', '--queue', 'user-events', '--max', '2', '--json']);
    expect(peek.code, peek.stderr).toBe(0);
    const { messages } = JSON.parse(peek.stdout);
    expect(messages).toHaveLength(2);
    for (const message of messages) {
      expect(userBodies).toContain(message.body);
      expect(message.reason).toBe(reasonOf(message.body));
      expect(message.receiveCount).toBeGreaterThanOrEqual(1);
      expect(Date.now() - Date.parse(message.firstFailureAt)).toBeLessThan(60_000);
    }
    expect(await dlqCounts()).toEqual({ visible: 5, inFlight: 0 });
    const all = JSON.parse((await stack.cli(['dlq', 'peek', '--queue', 'user-events', '--max', '50', '--json'])).stdout);
    expect(all.messages.map((m: { body: string }) => m.body).sort()).toEqual([...userBodies].sort());
  });

  it('filters a dry-run replay by reason', async () => {
    const dry = await stack.cli(['dlq', 'replay', '--queue', 'user-events', '--reason', 'RATING', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ moved: 0, failed: 0, skipped: 3, wouldMove: 2 });
    expect(await dlqCounts()).toEqual({ visible: 5, inFlight: 0 });
  });

  it('refuses to purge without --yes, and with it deletes only what is older than asked', async () => {
    const refused = await stack.cli(['dlq', 'purge', '--queue', 'user-events', '--older-than', '0s']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refusing to purge .* without --yes/);
    expect(await dlqCounts()).toEqual({ visible: 5, inFlight: 0 });

    const young = JSON.parse((await stack.cli(['dlq', 'purge', '--queue', 'user-events', '--older-than', '1h', '--yes', '--json'])).stdout);
    expect(young).toMatchObject({ deleted: 0, kept: 5, messages: [] });
    expect(await dlqCounts()).toEqual({ visible: 5, inFlight: 0 });

    const purged = await stack.cli(['dlq', 'purge', '--queue', 'user-events', '--older-than', '0s', '--yes', '--json']);
    expect(purged.code, purged.stderr).toBe(0);
    const report = JSON.parse(purged.stdout);
    expect(report).toMatchObject({ deleted: 5, kept: 0, failed: 0 });
    expect(new Set(report.messages.map((m: { messageId: string }) => m.messageId)).size).toBe(5);
    expect(report.messages.filter((m: { reason: string }) => m.reason === reasonOf(NOT_JSON))).toHaveLength(3);
    expect(await dlqCounts()).toEqual({ visible: 0, inFlight: 0 });
    // The other queue's DLQ is untouched.
    expect((await stack.counts(stack.itemQueue.deadLetter.url)).visible).toBe(1);
  });

  it('says which --queue values exist', async () => {
    const wrong = await stack.cli(['dlq', 'list', '--queue', 'orders']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/user-events.*item-events/);
  });
});
