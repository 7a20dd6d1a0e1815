/**
 * Message attributes the ingest puts on a message it sends to a dead-letter queue, so operators
 * (and `coldstart dlq`) can see why without parsing bodies. Messages moved by SQS redrive
 * (processing kept failing) carry none of them.
 */
export const FAILURE_ATTRIBUTES = {
  reason: 'coldstart-failure-reason',
  kind: 'coldstart-failure-kind',
  sourceQueue: 'coldstart-source-queue',
  eventType: 'coldstart-event-type',
  firstFailureAt: 'coldstart-first-failure-at',
} as const;

/** `invalid`: the body breaks the event contract; replaying it unchanged will fail again. */
export type FailureKind = 'invalid';

/** SQS caps attribute values at the message size, but a reason should stay readable. */
export const MAX_REASON_LENGTH = 1_000;
