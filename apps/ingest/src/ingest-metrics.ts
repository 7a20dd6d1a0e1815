import { counter } from '@coldstart/runtime';

const byQueue = (name: string, help: string) => counter({ name, help, labelNames: ['queue'] as const });
const byQueueAndOutcome = (name: string, help: string) => counter({ name, help, labelNames: ['queue', 'outcome'] as const });

/** The ingest's SQS metrics, by source queue. Outcomes are the ingest's decisions about a message. */
export function ingestMetrics() {
  return {
    receives: byQueueAndOutcome('coldstart_sqs_receives_total', 'ReceiveMessage calls by source queue and outcome (ok, error).'),
    received: byQueue(
      'coldstart_sqs_messages_received_total',
      'Messages received from a source queue (a redelivered message counts again).',
    ),
    handled: byQueueAndOutcome(
      'coldstart_sqs_messages_total',
      'Messages handled by outcome: accepted (flow added), duplicate (eventId seen), invalid (sent to the DLQ), error (left for redelivery).',
    ),
    deleted: byQueueAndOutcome(
      'coldstart_sqs_messages_deleted_total',
      'Messages deleted from a source queue after handling, by outcome (ok, error: received again).',
    ),
    deadLettered: byQueue(
      'coldstart_sqs_messages_dead_lettered_total',
      "Invalid messages copied to the source queue's dead-letter queue with their reason.",
    ),
  };
}
export type IngestMetrics = ReturnType<typeof ingestMetrics>;
