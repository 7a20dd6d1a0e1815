import type { Message } from '@aws-sdk/client-sqs';
import type { OpsConfig } from '../config.js';
import { formatDuration } from '../durations.js';
import { deleteMessages, describeMessage, DlqScanner, matchesFilter, openDlq, releaseMessages, type DlqMessage, type DlqQueueChoice } from './dlq-messages.js';

export interface PurgeReport {
  queue: string;
  deadLetterQueue: string;
  olderThan: string;
  deleted: number;
  /** Matching messages SQS did not delete; they are still in the DLQ. */
  failed: number;
  kept: number;
  messages: { messageId: string; eventType: string; reason: string; firstFailureAt: string }[];
}

/** Deletes the dead letters whose first failure is older than `olderThanMs`; the rest are released at once. */
export async function dlqPurge(config: OpsConfig, choice: DlqQueueChoice, olderThanMs: number): Promise<PurgeReport> {
  const target = await openDlq(config, choice);
  const { sqs, queue } = target;
  try {
    const scanner = new DlqScanner(sqs, queue.deadLetter.url, { visibilityTimeoutSeconds: 30 });
    const deleted: DlqMessage[] = [];
    let failed = 0;
    let kept = 0;
    while (!scanner.done) {
      const batch = await scanner.next();
      const now = Date.now();
      const doomed: DlqMessage[] = [];
      const spared: Message[] = [];
      for (const raw of batch) {
        const message = describeMessage(raw, target.maxReceiveCount);
        if (matchesFilter(message, { olderThanMs }, now)) doomed.push(message);
        else spared.push(raw);
      }
      kept += spared.length;
      await releaseMessages(sqs, queue.deadLetter.url, spared);
      const notDeleted = await deleteMessages(sqs, queue.deadLetter.url, doomed.map((m) => m.raw));
      failed += notDeleted.size;
      deleted.push(...doomed.filter((m) => !notDeleted.has(m.messageId)));
    }
    return {
      queue: queue.name,
      deadLetterQueue: queue.deadLetter.name,
      olderThan: formatDuration(olderThanMs),
      deleted: deleted.length,
      failed,
      kept,
      messages: deleted.map((m) => ({ messageId: m.messageId, eventType: m.eventType, reason: m.reason, firstFailureAt: m.firstFailureAt.toISOString() })),
    };
  } finally {
    sqs.destroy();
  }
}

export function renderPurge(report: PurgeReport): string {
  const lines = [
    `deleted ${report.deleted} message${report.deleted === 1 ? '' : 's'} from ${report.deadLetterQueue} (first failure older than ${report.olderThan}); kept ${report.kept}${report.failed > 0 ? `; ${report.failed} could not be deleted` : ''}`,
  ];
  for (const m of report.messages) lines.push(`  ${m.messageId}  ${m.eventType}  ${m.firstFailureAt}  ${m.reason}`);
  return lines.join('\n');
}
