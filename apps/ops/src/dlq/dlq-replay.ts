import {
  ListMessageMoveTasksCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { FAILURE_ATTRIBUTES } from '@coldstart/aws';
import { sleep } from '@coldstart/runtime';
import type { OpsConfig } from '../config.js';
import {
  describeMessage,
  DlqScanner,
  deleteMessages,
  hasFilter,
  matchesFilter,
  openDlq,
  queueCounts,
  releaseMessages,
  type DlqFilter,
  type DlqMessage,
  type DlqQueueChoice,
  type DlqTarget,
} from './dlq-messages.js';
import { Pacer } from '../pacer.js';
import { ProgressBar, type ProgressStream } from '../progress.js';

export interface ReplayOptions {
  filter: DlqFilter;
  /** Move at most this many matching messages. */
  max?: number | undefined;
  /** Sends per second at most. */
  ratePerSecond?: number | undefined;
  dryRun?: boolean | undefined;
}

/** The contract of `dlq replay`'s final summary. */
export interface ReplaySummary {
  moved: number;
  skipped: number;
  failed: number;
}

export interface DryRunReport extends ReplaySummary {
  dryRun: true;
  wouldMove: number;
  messages: { messageId: string; eventType: string; reason: string; firstFailureAt: string }[];
}

export interface ReplayIo {
  /** Where the progress bar goes (stderr). */
  progress: ProgressStream;
  /** One-line notices for the operator (stderr). */
  notice: (line: string) => void;
}

/** Messages held by another reader (or by a replay killed mid-way) come back within this. */
const HIDDEN_WAIT_MS = 35_000;
const FAILURE_ATTRIBUTE_NAMES = new Set<string>(Object.values(FAILURE_ATTRIBUTES));


/**
 * The producer's own attributes, without the ones the ingest added when it dead-lettered the
 * message (the replayed message is a fresh attempt; if it fails again it gets new ones).
 */
export function producerAttributes(message: Message): Record<string, MessageAttributeValue> | undefined {
  const kept: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (FAILURE_ATTRIBUTE_NAMES.has(name) || !value.DataType) continue;
    kept[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
    };
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/** Sends to the source queue; returns the ids of the messages SQS accepted. */
async function sendToSource(sqs: SQSClient, queueUrl: string, messages: readonly DlqMessage[]): Promise<Set<string>> {
  const sent = new Set<string>();
  let pending = messages.map((message, index) => ({ id: String(index), message }));
  for (let attempt = 0; pending.length > 0 && attempt < 3; attempt += 1) {
    if (attempt > 0) await sleep(200 * 2 ** attempt);
    try {
      const result = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: pending.map(({ id, message }) => {
            const attributes = producerAttributes(message.raw);
            return { Id: id, MessageBody: message.body, ...(attributes ? { MessageAttributes: attributes } : {}) };
          }),
        }),
      );
      const ok = new Set((result.Successful ?? []).map((entry) => entry.Id));
      for (const entry of pending) if (ok.has(entry.id)) sent.add(entry.message.messageId);
      pending = pending.filter((entry) => !ok.has(entry.id));
    } catch {
      // Retried; what is still unsent after the last attempt counts as failed and stays in the DLQ.
    }
  }
  return sent;
}

/** True when the endpoint does not implement an action (the local emulator has no move tasks). */
export function isUnsupportedAction(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message, $metadata } = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (['InvalidAction', 'UnknownOperationException', 'UnknownOperation', 'NotImplemented', 'NotImplementedException'].includes(name ?? '')) return true;
  if ($metadata?.httpStatusCode === 501) return true;
  return /unknown (action|operation)|not (yet )?implemented/i.test(message ?? '');
}

/**
 * SQS's own redrive (StartMessageMoveTask): moves everything at once, server-side, keeping
 * each message's attributes. Undefined when the endpoint does not support it.
 */
async function replayWithMoveTask(target: DlqTarget, options: ReplayOptions, io: ReplayIo): Promise<ReplaySummary | undefined> {
  const { sqs, sourceArn, deadLetterArn } = target;
  if (!sourceArn || !deadLetterArn) return undefined;
  let taskHandle: string | undefined;
  try {
    const rate = options.ratePerSecond ? Math.min(500, Math.max(1, Math.floor(options.ratePerSecond))) : undefined;
    const started = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: deadLetterArn, DestinationArn: sourceArn, ...(rate ? { MaxNumberOfMessagesPerSecond: rate } : {}) }),
    );
    taskHandle = started.TaskHandle;
  } catch (error) {
    if (isUnsupportedAction(error)) {
      io.notice('this SQS endpoint has no StartMessageMoveTask; replaying message by message');
      return undefined;
    }
    throw error;
  }
  io.notice(`started SQS message move task ${taskHandle ?? ''} (${target.queue.deadLetter.name} → ${target.queue.name})`.trimEnd());
  const bar = new ProgressBar(io.progress, 'replay', undefined);
  for (;;) {
    await sleep(1_000);
    const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: deadLetterArn, MaxResults: 10 }));
    const task = (tasks.Results ?? []).find((entry) => taskHandle === undefined || entry.TaskHandle === taskHandle) ?? tasks.Results?.[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    const toMove = task?.ApproximateNumberOfMessagesToMove;
    if (!task || task.Status === 'RUNNING' || task.Status === 'CANCELLING') {
      bar.update(moved, toMove !== undefined ? `of ~${toMove} moved` : 'moved');
      if (task) continue;
    }
    const failed = task?.Status === 'COMPLETED' ? 0 : Math.max(0, (toMove ?? moved) - moved);
    bar.finish(moved, `moved (${task?.Status ?? 'unknown'})`);
    if (task?.FailureReason) io.notice(`move task ${task.Status}: ${task.FailureReason}`);
    return { moved, skipped: 0, failed };
  }
}

/**
 * Moves matching dead letters back to the source queue, one receive at a time: send to the
 * source first, then delete from the DLQ. A crash in between leaves the message in both, so it
 * is replayed twice rather than lost, and the ingest's eventId deduplication absorbs the
 * repeat. Messages that do not match are made visible again at once.
 */
async function replayByMessage(target: DlqTarget, options: ReplayOptions, io: ReplayIo): Promise<ReplaySummary | DryRunReport> {
  const { sqs, queue } = target;
  const rate = options.ratePerSecond;
  const batchSize = rate ? Math.max(1, Math.min(10, Math.floor(rate))) : 10;
  // Long enough to send and delete one batch (including the pacing wait before the send).
  const visibilityTimeoutSeconds = rate ? Math.max(5, 2 + Math.ceil(batchSize / rate)) : 30;
  const scanner = new DlqScanner(sqs, queue.deadLetter.url, { visibilityTimeoutSeconds });
  const pacer = new Pacer(rate);
  const initial = await queueCounts(sqs, queue.deadLetter.url);
  const estimate = initial.visible + initial.notVisible;
  const bar = new ProgressBar(io.progress, options.dryRun ? 'dry run' : 'replay', options.max !== undefined ? Math.min(options.max, estimate) : estimate);

  let moved = 0;
  let skipped = 0;
  let failed = 0;
  let taken = 0;
  let invalid = 0;
  const wouldMove: DlqMessage[] = [];
  let hiddenWaitUntil: number | undefined;
  // The bar counts messages looked at; the detail says what became of them.
  const seen = () => (options.dryRun ? wouldMove.length : moved + failed) + skipped;
  const detail = () => (options.dryRun ? `(${wouldMove.length} would move, ${skipped} skipped)` : `(${moved} moved, ${skipped} skipped, ${failed} failed)`);

  while (options.max === undefined || taken < options.max) {
    if (scanner.done) {
      // Messages another reader holds, or a replay killed mid-way received, come back when
      // their visibility timeout lapses: wait for them (bounded) rather than leave them behind.
      const counts = await queueCounts(sqs, queue.deadLetter.url);
      hiddenWaitUntil ??= Date.now() + HIDDEN_WAIT_MS;
      if (counts.notVisible === 0 || Date.now() > hiddenWaitUntil) break;
      scanner.keepGoing();
      await sleep(500);
      continue;
    }
    const want = options.max === undefined ? batchSize : Math.min(batchSize, options.max - taken);
    const batch = await scanner.next(want);
    if (batch.length > 0) hiddenWaitUntil = undefined;
    const now = Date.now();
    const take: DlqMessage[] = [];
    const leave: Message[] = [];
    for (const raw of batch) {
      const message = describeMessage(raw, target.maxReceiveCount);
      if (matchesFilter(message, options.filter, now) && (options.max === undefined || taken < options.max)) {
        take.push(message);
        taken += 1;
      } else leave.push(raw);
    }
    skipped += leave.length;
    await releaseMessages(sqs, queue.deadLetter.url, leave);
    if (options.dryRun) {
      wouldMove.push(...take);
      await releaseMessages(sqs, queue.deadLetter.url, take.map((m) => m.raw));
      bar.update(seen(), detail());
      continue;
    }
    if (take.length === 0) {
      bar.update(seen(), detail());
      continue;
    }
    await pacer.take(take.length);
    const sent = await sendToSource(sqs, queue.url, take);
    const unsent = take.filter((m) => !sent.has(m.messageId));
    failed += unsent.length;
    await releaseMessages(sqs, queue.deadLetter.url, unsent.map((m) => m.raw));
    const delivered = take.filter((m) => sent.has(m.messageId));
    // Sent but not deleted: it stays in the DLQ too; replaying it again is absorbed downstream.
    const notDeleted = await deleteMessages(sqs, queue.deadLetter.url, delivered.map((m) => m.raw));
    moved += delivered.length - notDeleted.size;
    failed += notDeleted.size;
    invalid += delivered.filter((m) => m.kind === 'invalid').length;
    bar.update(seen(), detail());
  }

  if (options.dryRun) {
    bar.finish(seen(), detail());
    return {
      moved: 0,
      skipped,
      failed: 0,
      dryRun: true,
      wouldMove: wouldMove.length,
      messages: wouldMove.map((m) => ({ messageId: m.messageId, eventType: m.eventType, reason: m.reason, firstFailureAt: m.firstFailureAt.toISOString() })),
    };
  }
  bar.finish(seen(), detail());
  if (invalid > 0) {
    io.notice(`${invalid} of the moved messages had been rejected as invalid bodies; unchanged, the ingest will dead-letter them again`);
  }
  return { moved, skipped, failed };
}

/** `dlq replay`'s text output: what moved, or in a dry run what would have, one message a line. */
export function renderReplay(result: ReplaySummary | DryRunReport): string {
  if (!('dryRun' in result)) return `moved ${result.moved}, skipped ${result.skipped}, failed ${result.failed}`;
  const lines = result.messages.map((m) => `${m.messageId}  ${m.eventType}  ${m.firstFailureAt}  ${m.reason}`);
  return [...lines, `dry run: would move ${result.wouldMove}, skipped ${result.skipped}; nothing was moved`].join('\n');
}

export async function dlqReplay(config: OpsConfig, choice: DlqQueueChoice, options: ReplayOptions, io: ReplayIo): Promise<ReplaySummary | DryRunReport> {
  const target = await openDlq(config, choice);
  try {
    if (!options.dryRun && !hasFilter(options.filter) && options.max === undefined) {
      const viaTask = await replayWithMoveTask(target, options, io);
      if (viaTask) return viaTask;
    }
    return await replayByMessage(target, options, io);
  } finally {
    target.sqs.destroy();
  }
}
