export { bullPrefix, createRedis, redisServers, scanKeys, type ConnectionLogger } from './connection.js';
export { isPermanentError, JobTimeoutError, PermanentError } from './errors.js';
export { jobIdFor } from './job-ids.js';
export { createJobProducer, type AddJobOptions, type JobProducer } from './job-producer.js';
export { job, jobOptions, type JobDataOf, type JobInput, type JobNameOf, type JobResultOf, type JobSpec, type QueuePolicy, type QueueSpec } from './queue-spec.js';
export { createPoolWorker, jobLogBindings, type JobContext, type PoolHandlers, type PoolWorkerOptions } from './pool-worker.js';
export { runPool, type PoolOptions, type PoolSettings, type RunningPool } from './run-pool.js';
export { jobNameFromId, poolMetrics, QUEUE_STATES, readyAt, reportQueueDepth } from './pool-metrics.js';
export { servePool, type PoolProcessSettings, type PoolReadiness } from './serve-pool.js';
