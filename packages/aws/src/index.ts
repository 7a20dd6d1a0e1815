export { FAILURE_ATTRIBUTES, MAX_REASON_LENGTH, type FailureKind } from './failure-attributes.js';
export { publishBodies, sendBodies, type UnsentBody } from './publish.js';
export { deadLetterQueueName, ensureEventQueue, resolveEventQueue, type EventQueue, type TopologyOptions } from './queue-topology.js';
export { createSqsClient, type SqsClientOptions } from './sqs-client.js';
