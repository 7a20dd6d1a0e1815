import { makeExpandHandlers, pipelineHops, QUEUES } from '@coldstart/pipeline';
import { QueuePartitions, servePool } from '@coldstart/queues';
import { createLogger, fatal, type Logger } from '@coldstart/runtime';
import { CatalogStore } from '@coldstart/store';
import { buildExpander } from './build-expander.js';
import { configuredVariants, loadConfig } from './config.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (logger = createLogger({ app: 'worker-expand', level: config.LOG_LEVEL }));
  // BullMQ applies a queue-wide pause (JobContext.rateLimit, for the LLM server's 429) only to
  // workers that have a limiter; this one is that switch, not a cap: the cap on LLM requests is
  // the RequestBudget, which delays only the jobs that need a request.
  const limiter = configuredVariants(config) ? { max: 1_000_000, durationMs: 1_000 } : undefined;
  await servePool(
    QUEUES.expand,
    config,
    log,
    (redis, _readiness, jobs) => {
      const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
      return makeExpandHandlers({ catalog, expander: buildExpander(config, redis, catalog, log), signupAlone: pipelineHops(jobs, QueuePartitions.of(config)).signupAlone });
    },
    limiter ? { limiter } : {},
  );
}

main().catch((error: unknown) => fatal(logger, error));
