import { createSqsClient, resolveEventQueue } from '@coldstart/aws';
import { createPipelineFlows, makeEventIntake } from '@coldstart/pipeline';
import { createRedis, QueuePartitions } from '@coldstart/queues';
import { check, collectProcessMetrics, createLogger, fatal, installShutdown, startHealthServer, type Logger } from '@coldstart/runtime';
import { loadConfig } from './config.js';
import { ingestMetrics } from './ingest-metrics.js';
import { SqsConsumer } from './sqs-consumer.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'ingest', level: config.LOG_LEVEL }));
  collectProcessMetrics();
  const metrics = ingestMetrics();
  const sqs = createSqsClient({ region: config.AWS_REGION, endpoint: config.SQS_ENDPOINT });
  const redis = createRedis(config.REDIS_URL, 'producer', log);
  // BullMQ's own connection for adding flows (packages/queues/src/run-pool.ts says why it is apart).
  const jobs = createRedis(config.REDIS_URL, 'producer', log, { autoPipelining: false });
  const sourceQueues = [config.USER_EVENTS_QUEUE, config.ITEM_EVENTS_QUEUE];
  // Ready when Redis answers and both source queues (and their DLQs) resolve.
  const health = await startHealthServer({
    port: config.METRICS_PORT,
    host: config.METRICS_HOST,
    logger: log,
    ready: () =>
      Promise.all([
        check('redis', () => redis.ping()),
        ...sourceQueues.map((name) => check(`sqs:${name}`, () => resolveEventQueue(sqs, name).then(() => undefined))),
      ]),
  });
  const flows = createPipelineFlows(jobs, QueuePartitions.of(config));
  const handle = makeEventIntake({ flows, redis, prefix: config.COLDSTART_PREFIX, dedupeTtlSeconds: config.DEDUPE_TTL_SECONDS, logger: log });
  const queues = await Promise.all(sourceQueues.map((name) => resolveEventQueue(sqs, name)));
  const consumers = queues.map((queue) => new SqsConsumer({ sqs, queue, handle, logger: log, waitTimeSeconds: config.INGEST_WAIT_TIME_SECONDS, receivesPerBatch: config.INGEST_RECEIVES_PER_BATCH, batchWaitMs: config.INGEST_BATCH_WAIT_MS, metrics }));
  for (const consumer of consumers) consumer.start();
  log.info({ queues: queues.map((q) => q.name) }, 'ingest started');
  installShutdown({
    logger: log,
    deadlineMs: config.SHUTDOWN_DEADLINE_MS,
    health,
    close: async () => {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      await flows.close();
      await Promise.all([redis.quit(), jobs.quit()]);
      sqs.destroy();
    },
  });
}

main().catch((error: unknown) => fatal(logger, error));
