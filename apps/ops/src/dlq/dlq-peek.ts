import type { OpsConfig } from '../config.js';
import { openDlq, readDeadLetters, type DlqQueueChoice } from './dlq-messages.js';

export interface PeekedMessage {
  messageId: string;
  eventType: string;
  reason: string;
  kind: string;
  receiveCount: number;
  firstFailureAt: string;
  body: string;
}

export interface DlqPeek {
  queue: string;
  deadLetterQueue: string;
  messages: PeekedMessage[];
}

/** Up to `max` dead letters with their bodies, oldest first failure first; nothing is consumed. */
export async function dlqPeek(config: OpsConfig, choice: DlqQueueChoice, max: number): Promise<DlqPeek> {
  const target = await openDlq(config, choice);
  try {
    const messages = await readDeadLetters(target, max);
    return {
      queue: target.queue.name,
      deadLetterQueue: target.queue.deadLetter.name,
      messages: messages
        .sort((a, b) => a.firstFailureAt.getTime() - b.firstFailureAt.getTime())
        .map((m) => ({
          messageId: m.messageId,
          eventType: m.eventType,
          reason: m.reason,
          kind: m.kind,
          receiveCount: m.receiveCount,
          firstFailureAt: m.firstFailureAt.toISOString(),
          body: m.body,
        })),
    };
  } finally {
    target.sqs.destroy();
  }
}

export function renderPeek(peek: DlqPeek): string {
  if (peek.messages.length === 0) return `${peek.deadLetterQueue}: empty`;
  return peek.messages
    .map((m) =>
      [
        `${m.messageId}  ${m.eventType}  first failure ${m.firstFailureAt}  received ${m.receiveCount}×`,
        `  reason: ${m.reason}`,
        `  body:   ${m.body.length > 2_000 ? `${m.body.slice(0, 2_000)}… (${m.body.length} characters)` : m.body}`,
      ].join('\n'),
    )
    .join('\n\n');
}
