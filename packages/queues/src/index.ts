export { bullPrefix, createRedis } from './connection.js';
export { isPermanentError, JobTimeoutError, PermanentError } from './errors.js';
export { flowForEvent, itemEmbeddingText, jobOptions } from './flows.js';
export { jobIdFor } from './job-ids.js';
export * from './job-catalog.js';
export { createPoolWorker, jobLogBindings, type JobContext, type PoolHandlers, type PoolWorkerOptions } from './pool-worker.js';
export { runPool, type PoolOptions, type PoolSettings, type RunningPool } from './run-pool.js';
export { jobNameFromId, poolMetrics, QUEUE_STATES, readyAt, reportQueueDepth } from './pool-metrics.js';
export { servePool, type PoolProcessSettings, type PoolReadiness } from './serve-pool.js';
