import type { OpsConfig } from '../config.js';
import { formatDuration } from '../durations.js';
import { openDlq, queueCounts, readDeadLetters, type DlqMessage, type DlqQueueChoice } from './dlq-messages.js';

export interface DlqSummary {
  queue: string;
  deadLetterQueue: string;
  /** Messages read (each once, by message id). */
  total: number;
  byReason: { reason: string; kind: string; count: number }[];
  byType: { type: string; count: number }[];
  /** Counts per (reason, type) pair. */
  groups: { reason: string; type: string; count: number }[];
  oldest: { messageId: string; firstFailureAt: string; ageSeconds: number } | null;
  /** SQS's own approximate counts, read after the scan; `notVisible` are held by another reader. */
  approximate: { visible: number; notVisible: number };
}

const byCountThenName = <T extends { count: number }>(key: (item: T) => string) => (a: T, b: T) =>
  b.count - a.count || key(a).localeCompare(key(b));

/** Counts by reason, by type and by both, and the oldest first failure. Pure, for tests. */
export function summariseDeadLetters(
  messages: readonly Pick<DlqMessage, 'messageId' | 'reason' | 'kind' | 'eventType' | 'firstFailureAt'>[],
  now: number,
): Pick<DlqSummary, 'total' | 'byReason' | 'byType' | 'groups' | 'oldest'> {
  const reasons = new Map<string, { reason: string; kind: string; count: number }>();
  const types = new Map<string, { type: string; count: number }>();
  const groups = new Map<string, { reason: string; type: string; count: number }>();
  let oldest: (typeof messages)[number] | undefined;
  for (const message of messages) {
    const reason = reasons.get(message.reason) ?? { reason: message.reason, kind: message.kind, count: 0 };
    reason.count += 1;
    reasons.set(message.reason, reason);
    const type = types.get(message.eventType) ?? { type: message.eventType, count: 0 };
    type.count += 1;
    types.set(message.eventType, type);
    const key = JSON.stringify([message.reason, message.eventType]);
    const group = groups.get(key) ?? { reason: message.reason, type: message.eventType, count: 0 };
    group.count += 1;
    groups.set(key, group);
    if (!oldest || message.firstFailureAt < oldest.firstFailureAt) oldest = message;
  }
  return {
    total: messages.length,
    byReason: [...reasons.values()].sort(byCountThenName((r) => r.reason)),
    byType: [...types.values()].sort(byCountThenName((t) => t.type)),
    groups: [...groups.values()].sort(byCountThenName((g) => `${g.reason}\u0000${g.type}`)),
    oldest: oldest
      ? {
          messageId: oldest.messageId,
          firstFailureAt: oldest.firstFailureAt.toISOString(),
          ageSeconds: Math.max(0, Math.round((now - oldest.firstFailureAt.getTime()) / 1_000)),
        }
      : null,
  };
}

export async function dlqList(config: OpsConfig, choice: DlqQueueChoice): Promise<DlqSummary> {
  const target = await openDlq(config, choice);
  try {
    const messages = await readDeadLetters(target);
    const approximate = await queueCounts(target.sqs, target.queue.deadLetter.url);
    return {
      queue: target.queue.name,
      deadLetterQueue: target.queue.deadLetter.name,
      ...summariseDeadLetters(messages, Date.now()),
      approximate,
    };
  } finally {
    target.sqs.destroy();
  }
}

export function renderDlqSummary(summary: DlqSummary): string {
  const lines = [`${summary.deadLetterQueue}: ${summary.total} message${summary.total === 1 ? '' : 's'}`];
  if (summary.oldest) lines.push(`oldest first failure: ${summary.oldest.firstFailureAt} (${formatDuration(summary.oldest.ageSeconds * 1_000)} ago)`);
  if (summary.total > 0) {
    lines.push('', 'count  type              reason');
    for (const group of summary.groups) lines.push(`${String(group.count).padStart(5)}  ${group.type.padEnd(16)}  ${group.reason}`);
  }
  if (summary.approximate.notVisible > 0) {
    lines.push('', `${summary.approximate.notVisible} more are in flight (held by another reader) and were not counted`);
  }
  return lines.join('\n');
}
