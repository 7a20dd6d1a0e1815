import { resolveEventQueue, sendBodies } from '@coldstart/aws';
import { parseEventBody } from '@coldstart/events';
import type { OpsConfig } from '../config.js';
import { sourceQueueName, sqsClientFor, type DlqQueueChoice } from '../dlq/dlq-messages.js';
import { InFlight } from '../in-flight.js';
import type { NumberedLine } from '../input-lines.js';
import { Pacer } from '../pacer.js';
import { ProgressBar, type ProgressStream } from '../progress.js';

/** The contract of `events send --json`. */
export interface SendSummary {
  sent: number;
  /** Lines the ingest would reject: reported, never sent. */
  invalid: number;
  /** Valid lines SQS still refused after retries: reported too. */
  failed: number;
}

/** A line that was not sent, as `events send` reports it on stderr. */
export interface LineProblem {
  line: number;
  error: string;
}

export interface SendIo {
  progress: ProgressStream;
  problem: (problem: LineProblem) => void;
}

export interface SendOptions {
  /** Messages per second at most. */
  ratePerSecond?: number | undefined;
  /** Lines in the input, when known (a file): the progress bar's total. */
  totalLines?: number | undefined;
}

/** SendMessageBatch takes 10 entries. */
const BATCH = 10;
/** Batches in flight: enough to keep a burst from being paced by SQS round trips. */
const IN_FLIGHT = 4;

/**
 * Sends one event body per line to the queue: each checked first with the ingest's own
 * validation (parseEventBody), so a body the ingest would dead-letter is reported with its line
 * number and never sent. Valid bodies go out in SendMessageBatch calls of 10; entries SQS
 * refuses are retried, and those still refused are reported like invalid lines. Sending the same
 * file again is safe: the ingest drops a repeated eventId.
 */
export async function eventsSend(config: OpsConfig, choice: DlqQueueChoice, lines: AsyncIterable<NumberedLine>, options: SendOptions, io: SendIo): Promise<SendSummary> {
  const sqs = sqsClientFor(config);
  try {
    const queue = await resolveEventQueue(sqs, sourceQueueName(config, choice));
    const bar = new ProgressBar(io.progress, `send ${queue.name}`, options.totalLines);
    const pacer = new Pacer(options.ratePerSecond);
    const inFlight = new InFlight(IN_FLIGHT);
    const summary: SendSummary = { sent: 0, invalid: 0, failed: 0 };
    let read = 0;
    const detail = () => `(${summary.sent} sent, ${summary.invalid} invalid${summary.failed > 0 ? `, ${summary.failed} failed` : ''})`;
    const report = (problem: LineProblem) => {
      bar.interrupt();
      io.problem(problem);
    };
    const send = async (batch: NumberedLine[]) => {
      await pacer.take(batch.length);
      const unsent = await sendBodies(sqs, queue.url, batch.map((entry) => entry.text));
      for (const { index, reason } of unsent) report({ line: batch[index]?.line ?? 0, error: `not sent: ${reason}` });
      summary.failed += unsent.length;
      summary.sent += batch.length - unsent.length;
      bar.update(read, detail());
    };
    let batch: NumberedLine[] = [];
    try {
      for await (const entry of lines) {
        read = entry.line;
        const parsed = parseEventBody(entry.text);
        if (!parsed.ok) {
          summary.invalid += 1;
          report({ line: entry.line, error: parsed.error });
          continue;
        }
        batch.push(entry);
        if (batch.length === BATCH) {
          const full = batch;
          batch = [];
          await inFlight.run(() => send(full));
        }
      }
      if (batch.length > 0) await inFlight.run(() => send(batch));
      await inFlight.drain();
    } catch (error) {
      await inFlight.drain().catch(() => {});
      bar.interrupt();
      // Which of the last batches went out is unknown: sending the file again is safe (the ingest drops repeats).
      throw new Error(`sending to ${queue.name} stopped after ${summary.sent} messages, input read to line ${read}: ${(error as Error).message}`, { cause: error });
    }
    bar.finish(read, detail());
    return summary;
  } finally {
    sqs.destroy();
  }
}

export function renderSend(summary: SendSummary): string {
  return `sent ${summary.sent}, invalid ${summary.invalid}${summary.failed > 0 ? `, failed ${summary.failed}` : ''}`;
}
