import { counter } from '@coldstart/runtime';

/** The ingest's SQS metrics, by source queue. Outcomes are the ingest's decisions about a message. */
export function ingestMetrics() {
  return {
    receives: counter({
      name: 'coldstart_sqs_receives_total',
      help: 'ReceiveMessage calls by source queue and outcome (ok, error).',
      labelNames: ['queue', 'outcome'] as const,
    }),
    received: counter({
      name: 'coldstart_sqs_messages_received_total',
      help: 'Messages received from a source queue (a redelivered message counts again).',
      labelNames: ['queue'] as const,
    }),
    handled: counter({
      name: 'coldstart_sqs_messages_total',
      help: 'Messages handled by outcome: accepted (flow added), duplicate (eventId seen), invalid (sent to the DLQ), error (left for redelivery).',
      labelNames: ['queue', 'outcome'] as const,
    }),
    deleted: counter({
      name: 'coldstart_sqs_messages_deleted_total',
      help: 'Messages deleted from a source queue after handling, by outcome (ok, error: received again).',
      labelNames: ['queue', 'outcome'] as const,
    }),
    deadLettered: counter({
      name: 'coldstart_sqs_messages_dead_lettered_total',
      help: "Invalid messages copied to the source queue's dead-letter queue with their reason.",
      labelNames: ['queue'] as const,
    }),
  };
}
export type IngestMetrics = ReturnType<typeof ingestMetrics>;
