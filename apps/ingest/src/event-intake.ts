import type { FlowProducer } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseEventBody, EVENT_TYPES, MAX_BODY_BYTES } from '@coldstart/events';
import { flowForEvent } from '@coldstart/queues';
import type { Logger } from '@coldstart/runtime';
import { storeKeys } from '@coldstart/store';
import type { MessageOutcome, ReceivedMessage } from './sqs-consumer.js';

export interface IntakeDeps {
  flows: Pick<FlowProducer, 'add'>;
  redis: Pick<Redis, 'exists' | 'set'>;
  prefix: string;
  /** How long an accepted eventId is remembered; a repeat within it is dropped. */
  dedupeTtlSeconds: number;
  logger: Logger;
}

/** The type of an invalid body, when one can be read, so dead letters can be counted by type. */
export function peekEventType(body: string): string | undefined {
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    const type = typeof parsed === 'object' && parsed !== null ? (parsed as { type?: unknown }).type : undefined;
    return typeof type === 'string' && (EVENT_TYPES as readonly string[]).includes(type) ? type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates a message and turns it into one BullMQ flow. The eventId is remembered only after
 * the flow is added, so a crash in between re-adds the same flow, whose deterministic job ids
 * BullMQ ignores; concurrent duplicates are absorbed the same way.
 */
export function makeEventIntake(deps: IntakeDeps): (message: ReceivedMessage) => Promise<MessageOutcome> {
  const keys = storeKeys(deps.prefix);
  return async (message) => {
    const parsed = parseEventBody(message.body);
    if (!parsed.ok) return { action: 'dead-letter', reason: parsed.error, eventType: peekEventType(message.body) };
    const { event } = parsed;
    const marker = keys.acceptedEvent(event.eventId);
    if ((await deps.redis.exists(marker)) === 1) {
      deps.logger.info({ eventId: event.eventId, type: event.type, messageId: message.messageId }, 'duplicate event dropped');
      return { action: 'acknowledge', result: 'duplicate' };
    }
    await deps.flows.add(flowForEvent(event));
    await deps.redis.set(marker, event.type, 'EX', deps.dedupeTtlSeconds);
    deps.logger.debug({ eventId: event.eventId, type: event.type }, 'event accepted');
    return { action: 'acknowledge', result: 'accepted' };
  };
}
