import { loadWordVectorEncoder } from '@coldstart/embeddings';
import { runPool } from '@coldstart/queues';
import { createLogger, fatal, installShutdown, type Logger } from '@coldstart/runtime';
import { loadConfig } from './config.js';
import { makeEmbedHandlers } from './embed.processor.js';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger({ app: 'worker-embed', level: config.LOG_LEVEL });
  const started = Date.now();
  const encoder = await loadWordVectorEncoder();
  logger.info({ encoder: encoder.id, dimension: encoder.dimension, loadMs: Date.now() - started }, 'encoder loaded');
  const pool = await runPool('embed', config, logger, () => makeEmbedHandlers({ encoder }));
  installShutdown({ logger, deadlineMs: config.SHUTDOWN_DEADLINE_MS, close: () => pool.close() });
}

main().catch((error: unknown) => fatal(logger, error));
