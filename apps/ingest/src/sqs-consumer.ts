import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { FAILURE_ATTRIBUTES, MAX_REASON_LENGTH, type EventQueue } from '@coldstart/aws';
import { peekEventRef } from '@coldstart/events';
import type { IntakeOutcome } from '@coldstart/pipeline';
import { sleep, type Logger } from '@coldstart/runtime';
import { ingestMetrics, type IngestMetrics } from './ingest-metrics.js';

export interface ReceivedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
}

/** What to do with a message once handled (the ingest stage's outcome). A handler that throws leaves it in the queue to come back. */
export type MessageOutcome = IntakeOutcome;

export interface SqsConsumerOptions {
  sqs: SQSClient;
  queue: EventQueue;
  /** Handles one receive's messages together (an outcome for each, in order); throwing leaves them all to come back. */
  handle: (messages: ReceivedMessage[]) => Promise<MessageOutcome[]>;
  logger: Logger;
  /** Long-poll wait; 20 s (the maximum) keeps empty receives, and their cost, rare. */
  waitTimeSeconds: number;
  /** Counters by queue and outcome; the default registry's when omitted. */
  metrics?: IngestMetrics;
  /** Receives handled as one batch when there is a backlog (see backlog()); 1 when omitted. */
  receivesPerBatch?: number;
  /** After a receive that came back neither empty nor full, wait this long for more and take them too (see run()); 0 when omitted. */
  batchWaitMs?: number;
}

/** What one ReceiveMessage can return, and one DeleteMessageBatch delete. */
const SQS_MAX_MESSAGES = 10;
/** SQS allows 10 attributes per message; ours come first, the original's fill the rest. */
const MAX_ATTRIBUTES = 10;
const MAX_BACKOFF_MS = 30_000;

/**
 * Polls one SQS queue in batches of 10, or of up to 10 × receivesPerBatch when a receive comes
 * back full. A message is deleted only after its handler has
 * durably recorded it (a BullMQ flow) or the message was copied to the dead-letter queue with
 * its reason; anything else stays, reappears after the visibility timeout, and after
 * maxReceiveCount reaches the dead-letter queue through the RedrivePolicy.
 */
export class SqsConsumer {
  private stopping = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly metrics: IngestMetrics;

  constructor(private readonly options: SqsConsumerOptions) {
    this.metrics = options.metrics ?? ingestMetrics();
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops receiving (cancelling the long poll), then waits for the batch in hand to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.loop;
  }

  private receive(waitTimeSeconds: number): Promise<Message[]> {
    const { sqs, queue } = this.options;
    return sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: SQS_MAX_MESSAGES,
          WaitTimeSeconds: waitTimeSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: this.abort.signal },
      )
      .then((received) => {
        const messages = received.Messages ?? [];
        this.metrics.receives.inc({ queue: queue.name, outcome: 'ok' });
        if (messages.length > 0) this.metrics.received.inc({ queue: queue.name }, messages.length);
        return messages;
      });
  }

  /** A receive that does not wait (WaitTimeSeconds 0); one that fails only leaves its messages to the next loop. */
  private receiveNow(): Promise<Message[]> {
    const { queue, logger } = this.options;
    return this.receive(0).catch((error: unknown) => {
      this.metrics.receives.inc({ queue: queue.name, outcome: 'error' });
      if (!this.stopping) logger.warn({ queue: queue.name, err: error }, 'a receive for this batch failed; its messages come in the next');
      return [];
    });
  }

  /**
   * A full receive means a backlog: up to `receivesPerBatch - 1` more receives go out at once,
   * without waiting, and everything is handled as one batch, so a signup flow carries up to
   * 10 × receivesPerBatch signups.
   */
  private async backlog(): Promise<Message[]> {
    const { receivesPerBatch = 1 } = this.options;
    const more = await Promise.all(Array.from({ length: receivesPerBatch - 1 }, () => this.receiveNow()));
    return more.flat();
  }

  private async run(): Promise<void> {
    const { queue, logger } = this.options;
    let backoffMs = 500;
    while (!this.stopping) {
      let messages: Message[];
      try {
        messages = await this.receive(this.options.waitTimeSeconds);
        backoffMs = 500;
      } catch (error) {
        if (this.stopping) break;
        this.metrics.receives.inc({ queue: queue.name, outcome: 'error' });
        logger.error({ queue: queue.name, err: error, retryInMs: backoffMs }, 'receive failed');
        // stop() aborts the pause; the loop then sees `stopping` and ends.
        await sleep(backoffMs, this.abort.signal).catch(() => {});
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        continue;
      }
      // A few messages: events arriving close together (a steady, moderate load) share a flow if
      // the batch waits a moment for them, at the cost of that moment's latency and a receive.
      const batchWaitMs = this.options.batchWaitMs ?? 0;
      if (messages.length > 0 && messages.length < SQS_MAX_MESSAGES && batchWaitMs > 0 && !this.stopping) {
        await sleep(batchWaitMs, this.abort.signal).catch(() => {});
        if (!this.stopping) messages = [...messages, ...(await this.receiveNow())];
      }
      if (messages.length >= SQS_MAX_MESSAGES) messages = [...messages, ...(await this.backlog())];
      if (messages.length > 0) await this.processBatch(messages);
    }
  }

  private async processBatch(messages: Message[]): Promise<void> {
    const { queue, logger } = this.options;
    const received: ReceivedMessage[] = messages.map((message) => ({
      messageId: message.MessageId ?? '',
      body: message.Body ?? '',
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
    }));
    let outcomes: MessageOutcome[];
    try {
      outcomes = await this.options.handle(received);
    } catch (error) {
      this.metrics.handled.inc({ queue: queue.name, outcome: 'error' }, messages.length);
      for (const message of received) {
        const { eventId, type } = peekEventRef(message.body);
        logger.error({ queue: queue.name, messageId: message.messageId, eventId, type, receiveCount: message.receiveCount, err: error }, 'message not handled; it will be received again');
      }
      return;
    }
    const settled = await Promise.all(
      messages.map(async (message, index) => {
        const outcome = outcomes[index];
        const { messageId } = received[index] as ReceivedMessage;
        if (!outcome) {
          logger.error({ queue: queue.name, messageId }, 'the ingest gave this message no outcome; it will be received again');
          return undefined;
        }
        if (outcome.action === 'acknowledge') {
          this.metrics.handled.inc({ queue: queue.name, outcome: outcome.result });
          return message;
        }
        try {
          await this.deadLetter(message, outcome.reason, outcome.eventType);
        } catch (error) {
          this.metrics.handled.inc({ queue: queue.name, outcome: 'error' });
          logger.error({ queue: queue.name, messageId, eventId: outcome.eventId, type: outcome.eventType, err: error }, 'dead-lettering failed; the message will be received again');
          return undefined;
        }
        this.metrics.deadLettered.inc({ queue: queue.name });
        this.metrics.handled.inc({ queue: queue.name, outcome: 'invalid' });
        logger.warn({ queue: queue.name, messageId, eventId: outcome.eventId, type: outcome.eventType, reason: outcome.reason }, 'invalid message sent to the dead-letter queue');
        return message;
      }),
    );
    const done = settled.filter((message): message is Message => message !== undefined && message.ReceiptHandle !== undefined);
    for (let i = 0; i < done.length; i += SQS_MAX_MESSAGES) await this.deleteMessages(done.slice(i, i + SQS_MAX_MESSAGES));
  }

  /** Up to 10 handled messages; one not deleted is received again, and the eventId deduplication absorbs the repeat. */
  private async deleteMessages(done: Message[]): Promise<void> {
    const { sqs, queue, logger } = this.options;
    try {
      const result = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
      const failed = result.Failed ?? [];
      if (done.length > failed.length) this.metrics.deleted.inc({ queue: queue.name, outcome: 'ok' }, done.length - failed.length);
      if (failed.length > 0) this.metrics.deleted.inc({ queue: queue.name, outcome: 'error' }, failed.length);
      for (const failure of failed) {
        const message = done[Number(failure.Id)];
        logger.warn(
          { queue: queue.name, messageId: message?.MessageId, ...peekEventRef(message?.Body ?? ''), code: failure.Code, reason: failure.Message },
          'delete failed; the message will be received again',
        );
      }
    } catch (error) {
      this.metrics.deleted.inc({ queue: queue.name, outcome: 'error' }, done.length);
      logger.warn({ queue: queue.name, messageIds: done.map((m) => m.MessageId), err: error }, 'delete batch failed; the messages will be received again');
    }
  }

  private async deadLetter(message: Message, reason: string, eventType: string | undefined): Promise<void> {
    const { sqs, queue } = this.options;
    const ours: Record<string, MessageAttributeValue> = {
      [FAILURE_ATTRIBUTES.reason]: { DataType: 'String', StringValue: reason.slice(0, MAX_REASON_LENGTH) },
      [FAILURE_ATTRIBUTES.kind]: { DataType: 'String', StringValue: 'invalid' },
      [FAILURE_ATTRIBUTES.sourceQueue]: { DataType: 'String', StringValue: queue.name },
      [FAILURE_ATTRIBUTES.firstFailureAt]: { DataType: 'String', StringValue: new Date().toISOString() },
    };
    if (eventType) ours[FAILURE_ATTRIBUTES.eventType] = { DataType: 'String', StringValue: eventType };
    const attributes = { ...ours };
    for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
      if (Object.keys(attributes).length >= MAX_ATTRIBUTES) break;
      if (!(name in attributes)) attributes[name] = value;
    }
    // An empty body cannot be sent to SQS; the reason says what was there.
    const body = message.Body && message.Body.length > 0 ? message.Body : '(empty body)';
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.deadLetter.url, MessageBody: body, MessageAttributes: attributes }));
  }
}
