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

/**
 * The eventId and type of a body, as far as they can be read without validating it, so log
 * lines and dead letters about a bad or failing message still name its event.
 */
export function peekEventRef(body: string): { eventId?: string; type?: string } {
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { eventId, type } = parsed as { eventId?: unknown; type?: unknown };
    return {
      ...(typeof eventId === 'string' && eventId.length > 0 && eventId.length <= 128 ? { eventId } : {}),
      ...(typeof type === 'string' && (EVENT_TYPES as readonly string[]).includes(type) ? { type } : {}),
    };
  } catch {
    return {};
  }
}

/** The type of an invalid body, when one can be read, so dead letters can be counted by type. */
export function peekEventType(body: string): string | undefined {
  return peekEventRef(body).type;
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
    if (!parsed.ok) {
      const ref = peekEventRef(message.body);
      return { action: 'dead-letter', reason: parsed.error, eventType: ref.type, eventId: ref.eventId };
    }
    const { event } = parsed;
    const marker = keys.acceptedEvent(event.eventId);
    if ((await deps.redis.exists(marker)) === 1) {
      deps.logger.info({ eventId: event.eventId, type: event.type, messageId: message.messageId }, 'duplicate event dropped');
      return { action: 'acknowledge', result: 'duplicate' };
    }
    await deps.flows.add(flowForEvent(event));
    await deps.redis.set(marker, event.type, 'EX', deps.dedupeTtlSeconds);
    deps.logger.debug({ eventId: event.eventId, type: event.type, messageId: message.messageId }, 'event accepted');
    return { action: 'acknowledge', result: 'accepted' };
  };
}
