import type { FlowProducer } from 'bullmq';
import type { RedisClient } from '@coldstart/config';
import { parseEventBody, peekEventRef } from '@coldstart/events';
import type { Logger } from '@coldstart/runtime';
import { storeKeys } from '@coldstart/store';
import { flowForEvent } from '../graph.js';

/** A message from a source queue, as the ingest's consumer hands it over. */
export interface IntakeMessage {
  messageId: string;
  body: string;
}

/** What to do with a message once handled. An intake that throws leaves it in the queue to come back. */
export type IntakeOutcome =
  | { action: 'acknowledge'; result: 'accepted' | 'duplicate' }
  | { action: 'dead-letter'; reason: string; eventType?: string | undefined; eventId?: string | undefined };

export interface IntakeDeps {
  flows: Pick<FlowProducer, 'add'>;
  redis: Pick<RedisClient, 'exists' | 'set'>;
  prefix: string;
  /** How long an accepted eventId is remembered; a repeat within it is dropped. */
  dedupeTtlSeconds: number;
  logger: Logger;
}

/**
 * The ingest stage: validates a message and turns it into one BullMQ flow (graph.ts). The eventId is remembered only after
 * the flow is added, so a crash in between re-adds the same flow, whose deterministic job ids
 * BullMQ ignores; concurrent duplicates are absorbed the same way.
 */
export function makeEventIntake(deps: IntakeDeps): (message: IntakeMessage) => Promise<IntakeOutcome> {
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
