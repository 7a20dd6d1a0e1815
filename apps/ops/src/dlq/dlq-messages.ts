import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createSqsClient, FAILURE_ATTRIBUTES, resolveEventQueue, type EventQueue } from '@coldstart/aws';
import { EVENT_TYPES, MAX_BODY_BYTES } from '@coldstart/events';
import type { OpsConfig } from '../config.js';

/** `--queue` values and the configuration variable each one names. */
export const DLQ_QUEUE_CHOICES = ['user-events', 'item-events'] as const;
export type DlqQueueChoice = (typeof DLQ_QUEUE_CHOICES)[number];

/** `--type` values: the event types, and `unknown` for bodies whose type cannot be read. */
export const EVENT_TYPE_CHOICES = [...EVENT_TYPES, 'unknown'] as const;

export function sourceQueueName(config: Pick<OpsConfig, 'USER_EVENTS_QUEUE' | 'ITEM_EVENTS_QUEUE'>, choice: DlqQueueChoice): string {
  return choice === 'user-events' ? config.USER_EVENTS_QUEUE : config.ITEM_EVENTS_QUEUE;
}

/**
 * The development CLI defaults SQS_ENDPOINT to the local emulator; unset (as in production) or
 * pointed at an AWS endpoint, the client must use the default credential chain, which
 * `createSqsClient` only does without an endpoint.
 */
export function sqsClientFor(config: Pick<OpsConfig, 'AWS_REGION' | 'SQS_ENDPOINT'>): SQSClient {
  const endpoint = config.SQS_ENDPOINT;
  const aws = endpoint === undefined || /(^|\.)amazonaws\.com(\.cn)?$/.test(new URL(endpoint).hostname);
  return createSqsClient({ region: config.AWS_REGION, endpoint: aws ? undefined : endpoint });
}

export interface DlqTarget {
  sqs: SQSClient;
  /** The source queue, with its dead-letter queue. */
  queue: EventQueue;
  sourceArn: string | undefined;
  deadLetterArn: string | undefined;
  /** From the source queue's RedrivePolicy: receives before SQS moves a failing message. */
  maxReceiveCount: number | undefined;
}

export async function openDlq(config: OpsConfig, choice: DlqQueueChoice): Promise<DlqTarget> {
  const sqs = sqsClientFor(config);
  try {
    const queue = await resolveEventQueue(sqs, sourceQueueName(config, choice));
    const [source, dlq] = await Promise.all([
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['QueueArn', 'RedrivePolicy'] })),
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.deadLetter.url, AttributeNames: ['QueueArn'] })),
    ]);
    return {
      sqs,
      queue,
      sourceArn: source.Attributes?.QueueArn,
      deadLetterArn: dlq.Attributes?.QueueArn,
      maxReceiveCount: redriveMaxReceiveCount(source.Attributes?.RedrivePolicy),
    };
  } catch (error) {
    sqs.destroy();
    throw error;
  }
}

export function redriveMaxReceiveCount(policy: string | undefined): number | undefined {
  if (!policy) return undefined;
  try {
    const value = Number((JSON.parse(policy) as { maxReceiveCount?: unknown }).maxReceiveCount);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The reason of a message SQS moved by RedrivePolicy: it carries none of our attributes, and
 * its receive count keeps growing with every look at the DLQ, so the reason names the
 * source's maxReceiveCount (stable, so such messages group together).
 */
export function redriveReason(maxReceiveCount: number | undefined): string {
  return maxReceiveCount === undefined
    ? 'redrive: failed processing repeatedly (maxReceiveCount exceeded)'
    : `redrive: failed processing ${maxReceiveCount}× (maxReceiveCount exceeded)`;
}

/** The event type a body declares, when it is a JSON object with a known `type`. */
export function eventTypeOf(body: string): string | undefined {
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    const type = typeof parsed === 'object' && parsed !== null ? (parsed as { type?: unknown }).type : undefined;
    return typeof type === 'string' && (EVENT_TYPES as readonly string[]).includes(type) ? type : undefined;
  } catch {
    return undefined;
  }
}

/** A dead letter as the operations commands see it. */
export interface DlqMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** Why it is here: `coldstart-failure-reason`, or the redrive reason. */
  reason: string;
  /** `invalid` (the ingest rejected the body) or `redrive` (processing kept failing). */
  kind: string;
  /** The event type, or `unknown` when the body declares none we know. */
  eventType: string;
  receiveCount: number;
  /**
   * `coldstart-first-failure-at`; for a redriven message its SentTimestamp, which SQS keeps
   * when it moves a message and which looking at the DLQ does not change.
   */
  firstFailureAt: Date;
  raw: Message;
}

const stringAttribute = (message: Message, name: string): string | undefined => {
  const value = message.MessageAttributes?.[name]?.StringValue;
  return value === undefined || value.length === 0 ? undefined : value;
};

const timestamp = (value: string | undefined): Date | undefined => {
  if (value === undefined) return undefined;
  const date = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

export function describeMessage(message: Message, maxReceiveCount: number | undefined, now = new Date()): DlqMessage {
  const body = message.Body ?? '';
  const firstFailureAt =
    timestamp(stringAttribute(message, FAILURE_ATTRIBUTES.firstFailureAt)) ??
    timestamp(message.Attributes?.SentTimestamp) ??
    timestamp(message.Attributes?.ApproximateFirstReceiveTimestamp) ??
    now;
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    reason: stringAttribute(message, FAILURE_ATTRIBUTES.reason) ?? redriveReason(maxReceiveCount),
    kind: stringAttribute(message, FAILURE_ATTRIBUTES.kind) ?? 'redrive',
    eventType: stringAttribute(message, FAILURE_ATTRIBUTES.eventType) ?? eventTypeOf(body) ?? 'unknown',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    firstFailureAt,
    raw: message,
  };
}

export interface DlqFilter {
  /** An event type, or `unknown`. */
  type?: string | undefined;
  /** Case-insensitive substring of the reason. */
  reason?: string | undefined;
  /** Only messages whose first failure is at least this old. */
  olderThanMs?: number | undefined;
}

export const hasFilter = (filter: DlqFilter): boolean =>
  filter.type !== undefined || filter.reason !== undefined || filter.olderThanMs !== undefined;

export function matchesFilter(message: Pick<DlqMessage, 'eventType' | 'reason' | 'firstFailureAt'>, filter: DlqFilter, now: number): boolean {
  if (filter.type !== undefined && message.eventType !== filter.type) return false;
  if (filter.reason !== undefined && !message.reason.toLowerCase().includes(filter.reason.toLowerCase())) return false;
  if (filter.olderThanMs !== undefined && now - message.firstFailureAt.getTime() < filter.olderThanMs) return false;
  return true;
}

/** In chunks of 10, the most SQS takes per batch call. */
export function chunks<T>(items: readonly T[], size = 10): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** Makes messages visible again at once; a failure only means they come back when their short timeout lapses. */
export async function releaseMessages(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  const handles = messages.filter((m) => m.ReceiptHandle);
  await Promise.all(
    chunks(handles).map(async (batch) => {
      try {
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        );
      } catch {
        // They reappear when the receive's visibility timeout lapses.
      }
    }),
  );
}

/** Deletes messages; returns the ids SQS did not delete. */
export async function deleteMessages(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<Set<string>> {
  const notDeleted = new Set<string>();
  for (const batch of chunks(messages.filter((m) => m.ReceiptHandle))) {
    try {
      const result = await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
      );
      for (const failure of result.Failed ?? []) {
        const message = batch[Number(failure.Id)];
        if (message?.MessageId) notDeleted.add(message.MessageId);
      }
    } catch {
      for (const message of batch) if (message.MessageId) notDeleted.add(message.MessageId);
    }
  }
  return notDeleted;
}

export interface QueueCounts {
  visible: number;
  notVisible: number;
}

export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<QueueCounts> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return {
    visible: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0),
    notVisible: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export interface ScannerOptions {
  /** How long a received message stays hidden unless released or deleted sooner. */
  visibilityTimeoutSeconds: number;
  /** Consecutive receives that bring nothing new before the scan ends. */
  maxIdleRounds?: number;
  /** A short long-poll: on AWS it asks every server instead of a sample. */
  waitTimeSeconds?: number;
}

/**
 * Reads a queue without consuming it. SQS has no "list": a receive returns a sample, so the
 * scanner receives until several rounds in a row bring no message id it has not seen. Messages
 * it has seen already are released at once; the caller releases, deletes or keeps the new ones.
 * On a very large queue (tens of thousands of messages) this is approximate: SQS may keep
 * returning a subset, and counts should be read as a sample.
 */
export class DlqScanner {
  private readonly seen = new Set<string>();
  private idleRounds = 0;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly options: ScannerOptions,
  ) {}

  get done(): boolean {
    return this.idleRounds >= (this.options.maxIdleRounds ?? 3);
  }

  get seenCount(): number {
    return this.seen.size;
  }

  /** Starts counting idle rounds again, e.g. to wait for messages another reader still holds. */
  keepGoing(): void {
    this.idleRounds = 0;
  }

  /** One receive of up to `max` (≤ 10) messages; returns those not seen before in this scan. */
  async next(max = 10): Promise<Message[]> {
    const received = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
        VisibilityTimeout: this.options.visibilityTimeoutSeconds,
        WaitTimeSeconds: this.options.waitTimeSeconds ?? 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh: Message[] = [];
    const repeated: Message[] = [];
    for (const message of received.Messages ?? []) {
      const id = message.MessageId ?? '';
      if (this.seen.has(id)) repeated.push(message);
      else {
        this.seen.add(id);
        fresh.push(message);
      }
    }
    if (repeated.length > 0) await releaseMessages(this.sqs, this.queueUrl, repeated);
    // An empty long poll says more than a round of repeats: it ends the scan sooner.
    const receivedCount = received.Messages?.length ?? 0;
    this.idleRounds = fresh.length > 0 ? 0 : this.idleRounds + (receivedCount === 0 ? 2 : 1);
    return fresh;
  }
}

/**
 * Every message of a dead-letter queue, read without consuming: each batch is received with a
 * short visibility timeout and released at once (visibility 0). `limit` stops early.
 */
export async function readDeadLetters(target: DlqTarget, limit = Number.POSITIVE_INFINITY): Promise<DlqMessage[]> {
  const { sqs, queue } = target;
  const scanner = new DlqScanner(sqs, queue.deadLetter.url, { visibilityTimeoutSeconds: 10 });
  const messages: DlqMessage[] = [];
  const now = new Date();
  while (!scanner.done && messages.length < limit) {
    const batch = await scanner.next(Math.min(10, limit - messages.length));
    await releaseMessages(sqs, queue.deadLetter.url, batch);
    for (const message of batch) messages.push(describeMessage(message, target.maxReceiveCount, now));
  }
  return messages;
}
