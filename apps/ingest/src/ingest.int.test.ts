import { randomUUID } from 'node:crypto';
import {
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSqsClient, ensureEventQueue, FAILURE_ATTRIBUTES, publishBodies, type EventQueue } from '@coldstart/aws';
import { EVENT_EXAMPLES, itemUpsertedExample, MAX_BODY_BYTES, userSignupExample, type UserSignup } from '@coldstart/events';
import { type QueueName } from '@coldstart/pipeline';
import { bullPrefix, createFlowProducer, createRedis, jobIdFor, QueuePartitions, type PartitionedFlows } from '@coldstart/queues';
import type { Logger } from '@coldstart/runtime';
import type { RedisClient } from '@coldstart/config';
import { storeKeys } from '@coldstart/store';
import { createRedisFixture, startSqsEmulator, TEST_REDIS_URL, type RedisFixture, type SqsEmulator } from '@coldstart/testing';
import { makeEventIntake, signupBatchKey, type IntakeDeps } from '@coldstart/pipeline';
import { SqsConsumer, type MessageOutcome, type ReceivedMessage } from './sqs-consumer.js';

// Drives the ingest in-process the way main.ts wires it: SqsConsumer → makeEventIntake →
// FlowProducer, against the real redis-server and the fauxqs emulator through the AWS SDK.

const WAIT = { timeout: 20_000, interval: 50 } as const;
const DEDUPE_TTL_SECONDS = 600;

type LogLine = { level: number; msg: string } & Record<string, unknown>;

/** A pino logger that keeps every line, so tests can assert what the ingest said. */
function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

interface Handled {
  message: ReceivedMessage;
  outcome?: MessageOutcome;
  error?: unknown;
}

interface Ingest {
  queue: EventQueue;
  consumer: SqsConsumer;
  /** Every call of the intake, in completion order, with what it returned or threw. */
  handled: Handled[];
  /** The size of every batch handed to the intake, in order. */
  batches: number[];
  logs: LogLine[];
  keys: ReturnType<typeof storeKeys>;
}

let emulator: SqsEmulator;
let sqs: SQSClient;
let fx: RedisFixture;
let connection: RedisClient;
let flows: PartitionedFlows;
let bullQueues: Record<Extract<QueueName, 'recommend' | 'embed' | 'expand' | 'index'>, Queue>;
const consumers: SqsConsumer[] = [];
const sqsQueues: EventQueue[] = [];
const closeAfter: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  emulator = await startSqsEmulator();
  sqs = createSqsClient({ region: 'us-east-1', endpoint: emulator.endpoint });
});

afterAll(async () => {
  sqs?.destroy();
  await emulator?.stop();
});

let redisReady = false;

async function setUpRedis(): Promise<void> {
  fx = await createRedisFixture();
  redisReady = true;
  connection = createRedis(TEST_REDIS_URL, 'producer');
  const prefix = bullPrefix(fx.prefix);
  flows = createFlowProducer(connection, new QueuePartitions(fx.prefix));
  bullQueues = {
    recommend: new Queue('recommend', { connection, prefix }),
    embed: new Queue('embed', { connection, prefix }),
    expand: new Queue('expand', { connection, prefix }),
    index: new Queue('index', { connection, prefix }),
  };
}

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  for (const close of closeAfter.splice(0)) await close();
  if (redisReady) {
    redisReady = false;
    await Promise.all(Object.values(bullQueues).map((queue) => queue.close()));
    await flows.close();
    await connection.quit();
    await fx.cleanup();
  }
  for (const queue of sqsQueues.splice(0)) {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queue.deadLetter.url }));
  }
});

async function startIngest(
  options: { flows?: IntakeDeps['flows']; visibilityTimeoutSeconds?: number; maxReceiveCount?: number; client?: SQSClient; waitTimeSeconds?: number; receivesPerBatch?: number; batchWaitMs?: number; beforeStart?: (queue: EventQueue) => Promise<void> } = {},
): Promise<Ingest> {
  await setUpRedis();
  const name = `t-${randomUUID().slice(0, 8)}-user-events`;
  const queue = await ensureEventQueue(sqs, name, {
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 5,
    maxReceiveCount: options.maxReceiveCount ?? 5,
  });
  sqsQueues.push(queue);
  const { logger, lines } = captureLogger();
  const intake = makeEventIntake({
    flows: options.flows ?? flows,
    redis: connection,
    prefix: fx.prefix,
    dedupeTtlSeconds: DEDUPE_TTL_SECONDS,
    logger,
  });
  const handled: Handled[] = [];
  const batches: number[] = [];
  const handle = async (messages: ReceivedMessage[]): Promise<MessageOutcome[]> => {
    batches.push(messages.length);
    try {
      const outcomes = await intake(messages);
      messages.forEach((message, i) => handled.push({ message, outcome: outcomes[i] as MessageOutcome }));
      return outcomes;
    } catch (error) {
      for (const message of messages) handled.push({ message, error });
      throw error;
    }
  };
  const consumer = new SqsConsumer({
    sqs: options.client ?? sqs,
    queue,
    handle,
    logger,
    waitTimeSeconds: options.waitTimeSeconds ?? 1,
    ...(options.receivesPerBatch ? { receivesPerBatch: options.receivesPerBatch } : {}),
    ...(options.batchWaitMs ? { batchWaitMs: options.batchWaitMs } : {}),
  });
  consumers.push(consumer);
  await options.beforeStart?.(queue);
  consumer.start();
  return { queue, consumer, handled, batches, logs: lines, keys: storeKeys(fx.prefix) };
}

function signup(overrides: Partial<UserSignup> = {}): UserSignup {
  return { ...userSignupExample, eventId: randomUUID(), userId: `user-${randomUUID().slice(0, 8)}`, ...overrides };
}

async function queueCounts(url: string): Promise<{ visible: number; notVisible: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes?.ApproximateNumberOfMessages), notVisible: Number(Attributes?.ApproximateNumberOfMessagesNotVisible) };
}

/** Waits until the queue holds nothing, visible or in flight, i.e. every message was deleted. */
async function expectDrained(url: string): Promise<void> {
  await vi.waitFor(async () => expect(await queueCounts(url)).toEqual({ visible: 0, notVisible: 0 }), WAIT);
}

/** Receives `count` messages from a queue (hiding them for a minute), with every attribute. */
async function receiveAll(url: string, count: number): Promise<Message[]> {
  const got = new Map<string, Message>();
  await vi.waitFor(async () => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    for (const message of Messages ?? []) got.set(message.MessageId ?? '', message);
    if (got.size < count) throw new Error(`received ${got.size} of ${count} messages`);
  }, WAIT);
  expect(got.size).toBe(count);
  return [...got.values()];
}

function attribute(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}

async function jobState(queue: keyof typeof bullQueues, jobName: string, eventId: string): Promise<string | undefined> {
  const job = await bullQueues[queue].getJob(jobIdFor(jobName, eventId));
  return job ? job.getState() : undefined;
}

/** Every job in the three signup queues, by state; one signup flow is one job per queue. */
async function signupJobCounts() {
  const types = ['waiting', 'waiting-children', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;
  return {
    recommend: await bullQueues.recommend.getJobCounts(...types),
    embed: await bullQueues.embed.getJobCounts(...types),
    expand: await bullQueues.expand.getJobCounts(...types),
    index: await bullQueues.index.getJobCounts(...types),
  };
}

const ONE_SIGNUP_FLOW = {
  recommend: expect.objectContaining({ 'waiting-children': 1, waiting: 0, completed: 0, failed: 0 }),
  embed: expect.objectContaining({ 'waiting-children': 1, waiting: 0, completed: 0, failed: 0 }),
  expand: expect.objectContaining({ waiting: 1, 'waiting-children': 0, completed: 0, failed: 0 }),
  // learn-interactions: the signup's seed items go into the behaviour model.
  index: expect.objectContaining({ waiting: 1, 'waiting-children': 0, completed: 0, failed: 0 }),
};

async function expectSignupFlow(eventId: string): Promise<void> {
  expect(await jobState('recommend', 'recommend-user', eventId)).toBe('waiting-children');
  expect(await jobState('embed', 'embed-topics', eventId)).toBe('waiting-children');
  expect(await jobState('expand', 'expand-topics', eventId)).toBe('waiting');
}

/** Sends one valid signup and checks that it is accepted, deleted and becomes one signup flow. */
async function sendAcceptedSignup(ingest: Ingest): Promise<UserSignup> {
  const event = signup();
  const before = ingest.handled.length;
  await publishBodies(sqs, ingest.queue.url, [JSON.stringify(event)]);
  await vi.waitFor(() => expect(ingest.handled).toHaveLength(before + 1), WAIT);
  expect(ingest.handled[before]?.outcome).toEqual({ action: 'acknowledge', result: 'accepted' });
  await expectDrained(ingest.queue.url);
  await expectSignupFlow(event.eventId);
  expect(await signupJobCounts()).toEqual(ONE_SIGNUP_FLOW);
  return event;
}

describe('ingest: SQS → validated event → BullMQ flow', () => {
  it('turns a valid user.signup into a flow and deletes the message', async () => {
    const ingest = await startIngest();
    const event = await sendAcceptedSignup(ingest);
    const expand = await bullQueues.expand.getJob(jobIdFor('expand-topics', event.eventId));
    expect(expand?.name).toBe('expand-topics');
    expect(expand?.data.signups).toHaveLength(1);
    expect(expand?.data.signups[0]).toMatchObject({
      eventId: event.eventId,
      // Jobs carry occurredAt in canonical UTC form, so stages compare versions exactly.
      occurredAt: new Date(event.occurredAt).toISOString(),
      userId: event.userId,
      categories: event.interests.categories,
      locale: 'en-GB',
    });
    expect(expand?.data.signups[0].seeds.map((seed: { itemId: string }) => seed.itemId)).toEqual(['gb-7', 'gb-2', 'gb-1']);
    const recommend = await bullQueues.recommend.getJob(jobIdFor('recommend-user', event.eventId));
    // Its children: embed-topics (after expand-topics) and learn-interactions (the seeds).
    expect(await recommend?.getDependenciesCount()).toMatchObject({ unprocessed: 2 });

    // The eventId is remembered, with the type, for the configured time.
    const marker = ingest.keys.acceptedEvent(event.eventId);
    expect(await connection.get(marker)).toBe('user.signup');
    const ttl = await connection.ttl(marker);
    expect(ttl).toBeGreaterThan(DEDUPE_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(DEDUPE_TTL_SECONDS);
    expect(await queueCounts(ingest.queue.deadLetter.url)).toEqual({ visible: 0, notVisible: 0 });
  });

  it('dead-letters malformed messages with their reason and keeps consuming', async () => {
    const ingest = await startIngest();
    const notJson = '{"schemaVersion":1,"type":"user.signup",';
    const badRating = JSON.stringify(
      signup({ interests: { items: [{ itemId: 'gb-7', rating: 9 }] } }),
    );
    const controlInId = JSON.stringify(signup({ userId: 'user-\u0001-bell' }));
    const oversize = JSON.stringify({ ...itemUpsertedExample, eventId: randomUUID(), description: 'x'.repeat(300 * 1024) });
    expect(Buffer.byteLength(oversize)).toBeGreaterThan(300 * 1024);
    // An SQS body may not hold a raw U+0001, so the control character travels JSON-escaped.
    expect(controlInId).toContain('\\u0001');

    await publishBodies(sqs, ingest.queue.url, [notJson, badRating, controlInId, oversize]);
    // One more, with a message attribute of its own, which the dead letter must keep.
    const unknownType = JSON.stringify({ ...signup(), type: 'user.deleted' });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: ingest.queue.url,
        MessageBody: unknownType,
        MessageAttributes: { 'trace-id': { DataType: 'String', StringValue: 'trace-123' } },
      }),
    );

    const dead = await receiveAll(ingest.queue.deadLetter.url, 5);
    const byBody = new Map(dead.map((message) => [message.Body, message]));
    const expected: Array<{ body: string; reason: string; eventType: string | undefined; label: string }> = [
      { label: 'not JSON', body: notJson, reason: 'body is not valid JSON', eventType: undefined },
      { label: 'rating 9', body: badRating, reason: 'interests.items[0].rating: must be an integer 1–5', eventType: 'user.signup' },
      { label: 'control character', body: controlInId, reason: 'userId: contains a control character', eventType: 'user.signup' },
      {
        label: 'oversize',
        body: oversize,
        reason: `larger than the ${MAX_BODY_BYTES}-byte (256 KiB) limit`,
        // The type is not read out of a body over the limit.
        eventType: undefined,
      },
      { label: 'unknown type', body: unknownType, reason: 'type: unknown type "user.deleted"', eventType: undefined },
    ];
    for (const { label, body, reason, eventType } of expected) {
      const message = byBody.get(body);
      expect(message, `${label}: dead letter with the original body intact`).toBeDefined();
      if (!message) continue;
      expect(attribute(message, FAILURE_ATTRIBUTES.reason), label).toContain(reason);
      expect(attribute(message, FAILURE_ATTRIBUTES.kind), label).toBe('invalid');
      expect(attribute(message, FAILURE_ATTRIBUTES.sourceQueue), label).toBe(ingest.queue.name);
      expect(attribute(message, FAILURE_ATTRIBUTES.eventType), label).toBe(eventType);
      const failedAt = attribute(message, FAILURE_ATTRIBUTES.firstFailureAt) ?? '';
      expect(Number.isNaN(Date.parse(failedAt)), `${label}: first-failure-at ${failedAt}`).toBe(false);
    }
    expect(attribute(byBody.get(unknownType) ?? {}, 'trace-id')).toBe('trace-123');

    // Every bad message was acknowledged as a dead letter, none was retried, nothing reached BullMQ.
    expect(ingest.handled.map((h) => h.outcome?.action)).toEqual(Array(5).fill('dead-letter'));
    await expectDrained(ingest.queue.url);
    expect(ingest.logs.filter((line) => line.msg === 'invalid message sent to the dead-letter queue')).toHaveLength(5);

    // The consumer is still consuming: a valid event sent after the bad ones becomes a flow.
    await sendAcceptedSignup(ingest);
  });

  it('processes a repeated eventId once, whether the body is the same or not', async () => {
    const ingest = await startIngest();
    const first = signup();
    const body = JSON.stringify(first);
    await publishBodies(sqs, ingest.queue.url, [body]);
    await vi.waitFor(() => expect(ingest.handled).toHaveLength(1), WAIT);

    // The same body again, then another body (another user, other interests) with the same eventId.
    await publishBodies(sqs, ingest.queue.url, [body]);
    await vi.waitFor(() => expect(ingest.handled).toHaveLength(2), WAIT);
    const other = signup({ eventId: first.eventId, interests: { categories: ['horror'] } });
    expect(other.userId).not.toBe(first.userId);
    await publishBodies(sqs, ingest.queue.url, [JSON.stringify(other)]);
    await vi.waitFor(() => expect(ingest.handled).toHaveLength(3), WAIT);

    expect(ingest.handled.map((h) => h.outcome)).toEqual([
      { action: 'acknowledge', result: 'accepted' },
      { action: 'acknowledge', result: 'duplicate' },
      { action: 'acknowledge', result: 'duplicate' },
    ]);
    expect(ingest.handled.map((h) => h.message.body)).toEqual([body, body, JSON.stringify(other)]);
    await expectDrained(ingest.queue.url);
    expect(await queueCounts(ingest.queue.deadLetter.url)).toEqual({ visible: 0, notVisible: 0 });

    expect(await signupJobCounts()).toEqual(ONE_SIGNUP_FLOW);
    const expand = await bullQueues.expand.getJob(jobIdFor('expand-topics', first.eventId));
    expect(expand?.data.signups).toEqual([expect.objectContaining({ userId: first.userId, categories: first.interests.categories })]);
    expect(await connection.exists(ingest.keys.acceptedEvent(first.eventId))).toBe(1);
    expect(ingest.logs.filter((line) => line.msg === 'duplicate event dropped' && line['eventId'] === first.eventId)).toHaveLength(2);
  });

  it('absorbs duplicates that arrive together, before the eventId is remembered', async () => {
    const ingest = await startIngest();
    const first = signup();
    const other = signup({ eventId: first.eventId, interests: { categories: ['horror'] } });
    // One SendMessageBatch: the consumer usually receives them in one batch and handles them concurrently.
    await publishBodies(sqs, ingest.queue.url, [JSON.stringify(first), JSON.stringify(first), JSON.stringify(other)]);
    await vi.waitFor(() => expect(ingest.handled).toHaveLength(3), WAIT);
    await expectDrained(ingest.queue.url);

    for (const { outcome } of ingest.handled) expect(outcome?.action).toBe('acknowledge');
    expect(ingest.handled.filter((h) => h.outcome?.action === 'acknowledge' && h.outcome.result === 'accepted').length).toBeGreaterThanOrEqual(1);
    // However many were "accepted", BullMQ's deterministic job ids leave exactly one flow.
    expect(await signupJobCounts()).toEqual(ONE_SIGNUP_FLOW);
    await expectSignupFlow(first.eventId);
    const expand = await bullQueues.expand.getJob(jobIdFor('expand-topics', first.eventId));
    expect(expand?.data.signups).toHaveLength(1);
    expect([first.userId, other.userId]).toContain(expand?.data.signups[0].userId);
    const recommend = await bullQueues.recommend.getJob(jobIdFor('recommend-user', first.eventId));
    expect(recommend?.data.signups[0].userId).toBe(expand?.data.signups[0].userId);
    // Its children: embed-topics (after expand-topics) and learn-interactions (the seeds).
    expect(await recommend?.getDependenciesCount()).toMatchObject({ unprocessed: 2 });
  });

  it('turns the signups of one receive into one flow, and every other event into its own', async () => {
    await setUpRedis();
    const intake = makeEventIntake({ flows, redis: connection, prefix: fx.prefix, dedupeTtlSeconds: DEDUPE_TTL_SECONDS, logger: captureLogger().logger });
    const signups = [signup(), signup(), signup()];
    const interaction = { ...EVENT_EXAMPLES.find((e) => e.type === 'user.interaction')!, eventId: randomUUID() };
    const bodies = [...signups, interaction].map((event, i) => ({ messageId: `m-${i}`, body: JSON.stringify(event) }));
    // The same signup twice in one receive counts once.
    bodies.push({ messageId: 'm-repeat', body: JSON.stringify(signups[0]) });
    expect(await intake(bodies)).toEqual([
      ...Array.from({ length: 4 }, () => ({ action: 'acknowledge', result: 'accepted' })),
      { action: 'acknowledge', result: 'duplicate' },
    ]);
    const key = signupBatchKey(signups);
    const expand = await bullQueues.expand.getJobs(['waiting']);
    expect(expand.map((job) => job.id)).toEqual([jobIdFor('expand-topics', key)]);
    expect(expand[0]?.data.signups.map((s: { eventId: string }) => s.eventId)).toEqual(signups.map((s) => s.eventId));
    const recommend = await bullQueues.recommend.getJob(jobIdFor('recommend-user', key));
    // Its children: embed-topics (after expand-topics) and one learn-interactions for every signup's seeds.
    expect(await recommend?.getDependenciesCount()).toMatchObject({ unprocessed: 2 });
    expect(await bullQueues.recommend.getJob(jobIdFor('refresh-user', interaction.eventId))).toBeDefined();
    for (const event of [...signups, interaction]) expect(await connection.exists(storeKeys(fx.prefix).acceptedEvent(event.eventId))).toBe(1);
    // Added again (a crash before the markers were set, the same receive again): absorbed, every event a duplicate now.
    expect((await intake(bodies)).map((o) => (o.action === 'acknowledge' ? o.result : o.action))).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(await bullQueues.expand.getJobs(['waiting'])).toHaveLength(1);
  });

  it('takes more receives at once when one comes back full, and hands them over as one batch', async () => {
    const events = Array.from({ length: 30 }, () => signup());
    const ingest = await startIngest({ receivesPerBatch: 3, beforeStart: (queue) => publishBodies(sqs, queue.url, events.map((e) => JSON.stringify(e))) });
    await vi.waitFor(() => expect(ingest.handled).toHaveLength(30), WAIT);
    await expectDrained(ingest.queue.url);
    // A full receive of 10 and two more taken at once: one batch of up to 30 (SQS may return fewer
    // than it holds, so the rest come in later batches), never more than 3 receives' worth.
    expect(ingest.batches[0]).toBeGreaterThan(10);
    expect(Math.max(...ingest.batches)).toBeLessThanOrEqual(30);
    expect(ingest.batches.reduce((a, b) => a + b, 0)).toBe(30);
    // Every signup in a flow, each once, the first batch's together.
    const flows = await bullQueues.expand.getJobs(['waiting']);
    const carried = flows.flatMap((job) => job.data.signups.map((s: { eventId: string }) => s.eventId));
    expect(carried.sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(Math.max(...flows.map((job) => job.data.signups.length))).toBe(ingest.batches[0]);
  });

  it('waits a moment after a receive of a few messages and takes those that came meanwhile into the same batch', async () => {
    // A client whose first receive, once it has brought the first signup back, publishes two
    // more before handing it over: they arrive inside the consumer's wait.
    const client = createSqsClient({ region: 'us-east-1', endpoint: emulator.endpoint });
    closeAfter.push(async () => client.destroy());
    const later = [signup(), signup()];
    let queueUrl = '';
    let sentLater = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const received = (result.output as { Messages?: unknown[] }).Messages ?? [];
        if (context.commandName === 'ReceiveMessageCommand' && received.length > 0 && !sentLater) {
          sentLater = true;
          await publishBodies(sqs, queueUrl, later.map((e) => JSON.stringify(e)));
        }
        return result;
      },
      { step: 'finalizeRequest', name: 'publishDuringTheWait' },
    );
    const first = signup();
    const ingest = await startIngest({
      client,
      batchWaitMs: 500,
      beforeStart: async (queue) => {
        queueUrl = queue.url;
        await publishBodies(sqs, queue.url, [JSON.stringify(first)]);
      },
    });
    await vi.waitFor(() => expect(ingest.handled).toHaveLength(3), WAIT);
    expect(ingest.batches).toEqual([3]);
    const [flow] = await bullQueues.expand.getJobs(['waiting']);
    expect(flow?.data.signups.map((s: { eventId: string }) => s.eventId).sort()).toEqual([first, ...later].map((e) => e.eventId).sort());
  });

  it('leaves the message in SQS while Redis is unreachable, until the RedrivePolicy moves it to the DLQ', async () => {
    // A FlowProducer whose Redis is a closed port: every add fails (no reconnecting, no offline queue).
    const unreachable = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    unreachable.on('error', () => {});
    const brokenFlows = createFlowProducer(unreachable, new QueuePartitions('unreachable'));
    closeAfter.push(async () => {
      await brokenFlows.close().catch(() => {});
      unreachable.disconnect();
    });

    const ingest = await startIngest({ flows: brokenFlows, visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    const event = signup();
    const body = JSON.stringify(event);
    await publishBodies(sqs, ingest.queue.url, [body]);

    const [moved] = await receiveAll(ingest.queue.deadLetter.url, 1);
    expect(moved?.Body).toBe(body);
    // SQS moved it (redrive), not the ingest: no failure attributes.
    expect(moved?.MessageAttributes?.[FAILURE_ATTRIBUTES.reason]).toBeUndefined();
    expect(moved?.MessageAttributes?.[FAILURE_ATTRIBUTES.kind]).toBeUndefined();

    // Received twice (maxReceiveCount), failed both times, never deleted, never dead-lettered by the ingest.
    expect(ingest.handled.map((h) => h.message.receiveCount)).toEqual([1, 2]);
    for (const h of ingest.handled) {
      expect(h.outcome).toBeUndefined();
      // The first add sees the refused connection; later ones, the connection given up on.
      expect(String(h.error)).toMatch(/ECONNREFUSED|Connection is closed/);
    }
    const notHandled = ingest.logs.filter((line) => line.msg === 'message not handled; it will be received again');
    expect(notHandled.map((line) => line['receiveCount'])).toEqual([1, 2]);
    expect(notHandled.every((line) => line.level === 50)).toBe(true);
    await expectDrained(ingest.queue.url);

    // The event was never accepted: no dedupe marker (a replay from the DLQ would be processed), no jobs.
    expect(await connection.exists(ingest.keys.acceptedEvent(event.eventId))).toBe(0);
    expect(await bullQueues.recommend.getJob(jobIdFor('recommend-user', event.eventId))).toBeUndefined();
  });

  it('stop() returns promptly while a 20 s long poll is in flight', async () => {
    // A client of its own, so its middleware sees only this consumer's receives.
    const client = createSqsClient({ region: 'us-east-1', endpoint: emulator.endpoint });
    closeAfter.push(async () => client.destroy());
    const receives: Array<{ startedAt: number; endedAt?: number; error?: unknown }> = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'ReceiveMessageCommand') return next(args);
        const receive: (typeof receives)[number] = { startedAt: Date.now() };
        receives.push(receive);
        try {
          return await next(args);
        } catch (error) {
          receive.error = error;
          throw error;
        } finally {
          receive.endedAt = Date.now();
        }
      },
      { step: 'finalizeRequest', name: 'observeReceives' },
    );

    const ingest = await startIngest({ client, waitTimeSeconds: 20 });
    await vi.waitFor(() => expect(receives).toHaveLength(1), WAIT);
    // One round trip to the emulator after the receive was sent, so it is waiting there.
    await queueCounts(ingest.queue.url);
    expect(receives[0]?.endedAt).toBeUndefined();

    const stoppedAt = Date.now();
    await ingest.consumer.stop();
    const stopMs = Date.now() - stoppedAt;

    expect(stopMs).toBeLessThan(2_000);
    expect(receives).toHaveLength(1);
    expect(receives[0]?.endedAt).toBeDefined();
    expect((receives[0]?.endedAt ?? 0) - (receives[0]?.startedAt ?? 0)).toBeLessThan(5_000);
    expect((receives[0]?.error as Error | undefined)?.name).toBe('AbortError');
    // Stopping is not an error worth logging.
    expect(ingest.logs.filter((line) => line.msg === 'receive failed')).toEqual([]);
    expect(ingest.handled).toEqual([]);
  });
});
