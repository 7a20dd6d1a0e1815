import type { FlowJob } from 'bullmq';
import type { RedisClient } from '@coldstart/config';
import { parseEventBody, peekEventRef, type ColdstartEvent } from '@coldstart/events';
import type { PartitionedFlows } from '@coldstart/queues';
import type { Logger } from '@coldstart/runtime';
import { storeKeys } from '@coldstart/store';
import { flowForEvent, flowForSignups, signupOf } from '../graph.js';
import { MAX_SIGNUPS_PER_JOB } from '../signup/jobs.js';

/** A message from a source queue, as the ingest's consumer hands it over. */
export interface IntakeMessage {
  messageId: string;
  body: string;
}

/** What to do with a message once handled. An intake that throws leaves every message of the batch in the queue to come back. */
export type IntakeOutcome =
  | { action: 'acknowledge'; result: 'accepted' | 'duplicate' }
  | { action: 'dead-letter'; reason: string; eventType?: string | undefined; eventId?: string | undefined };

export interface IntakeDeps {
  flows: Pick<PartitionedFlows, 'addBulk'>;
  redis: Pick<RedisClient, 'exists' | 'set'>;
  prefix: string;
  /** How long an accepted eventId is remembered; a repeat within it is dropped. */
  dedupeTtlSeconds: number;
  logger: Logger;
}

/**
 * The ingest stage: validates the messages of one SQS receive and turns them into BullMQ flows
 * (graph.ts): one for all of the receive's signups, one for each other event, added together.
 * An eventId is remembered only after its flow is added, so a crash in between re-adds the same
 * flows, whose deterministic job ids BullMQ ignores; concurrent duplicates are absorbed the same
 * way, and a repeat within the receive counts as a duplicate.
 */
export function makeEventIntake(deps: IntakeDeps): (messages: readonly IntakeMessage[]) => Promise<IntakeOutcome[]> {
  const keys = storeKeys(deps.prefix);
  return async (messages) => {
    const outcomes: IntakeOutcome[] = [];
    const fresh: { index: number; event: ColdstartEvent }[] = [];
    const inBatch = new Set<string>();
    const parsed = messages.map((message) => parseEventBody(message.body));
    // Every marker is read in one round trip (auto-pipelined), before anything is added.
    const seen = await Promise.all(parsed.map((p) => (p.ok ? deps.redis.exists(keys.acceptedEvent(p.event.eventId)) : Promise.resolve(0))));
    parsed.forEach((p, index) => {
      const message = messages[index] as IntakeMessage;
      if (!p.ok) {
        const ref = peekEventRef(message.body);
        outcomes[index] = { action: 'dead-letter', reason: p.error, eventType: ref.type, eventId: ref.eventId };
        return;
      }
      const { event } = p;
      if (seen[index] === 1 || inBatch.has(event.eventId)) {
        deps.logger.info({ eventId: event.eventId, type: event.type, messageId: message.messageId }, 'duplicate event dropped');
        outcomes[index] = { action: 'acknowledge', result: 'duplicate' };
        return;
      }
      inBatch.add(event.eventId);
      fresh.push({ index, event });
    });
    if (fresh.length > 0) {
      const signups = fresh.flatMap(({ event }) => (event.type === 'user.signup' ? [signupOf(event)] : []));
      const flows: FlowJob[] = fresh.filter(({ event }) => event.type !== 'user.signup').map(({ event }) => flowForEvent(event));
      for (let i = 0; i < signups.length; i += MAX_SIGNUPS_PER_JOB) flows.push(flowForSignups(signups.slice(i, i + MAX_SIGNUPS_PER_JOB)));
      await deps.flows.addBulk(flows);
      await Promise.all(fresh.map(({ event }) => deps.redis.set(keys.acceptedEvent(event.eventId), event.type, 'EX', deps.dedupeTtlSeconds)));
      for (const { index, event } of fresh) {
        deps.logger.debug({ eventId: event.eventId, type: event.type, messageId: messages[index]?.messageId }, 'event accepted');
        outcomes[index] = { action: 'acknowledge', result: 'accepted' };
      }
    }
    return outcomes;
  };
}
