export { createLogger, REDACTED_PATHS, redactQuery, redactUrl, type Logger } from './logger.js';
export { fatal, installShutdown, type ShutdownOptions } from './shutdown.js';
export { check, startHealthServer, type Check, type HealthServer, type HealthServerOptions } from './health-server.js';
export {
  collectProcessMetrics,
  counter,
  Counter,
  defaultRegistry,
  gauge,
  Gauge,
  histogram,
  Histogram,
  LATENCY_BUCKETS,
  Registry,
} from './metrics.js';
export { sleep, waitUntil, type WaitUntilOptions } from './sleep.js';
export { hashText, mulberry32, seededRandom, shuffle } from './prng.js';
export { percentile } from './percentile.js';
export { serial } from './serial.js';
export { coalesced } from './coalesced.js';
export { repeatEvery } from './repeat-every.js';
