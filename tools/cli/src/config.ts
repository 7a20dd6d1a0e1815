import { AwsEnv, envInteger, envUrl, parseEnv, ProcessEnv } from '@coldstart/config';
import { OpsEnv } from '@coldstart/ops';
import { z } from 'zod';
import { join } from 'node:path';
import { repoRoot } from './repo-paths.js';

/**
 * The CLI drives the local stack, so unlike the apps it defaults SQS_ENDPOINT to the local
 * emulator; point it (and REDIS_URL) elsewhere to use other services. It extends the operator
 * commands' settings, which it passes to them.
 */
export const CliEnv = OpsEnv.extend(ProcessEnv.shape)
  .extend({
    SQS_ENDPOINT: AwsEnv.shape.SQS_ENDPOINT.default('http://127.0.0.1:4566'),
    API_PORT: envInteger(8080, { min: 1, max: 65_535 }),
    /** The local stack's apps serve /metrics, /healthz and /readyz on this port and the next ones (one each). */
    METRICS_PORT_BASE: envInteger(9464, { min: 1, max: 65_500 }),
    /** The embed pool's encoder (a registry id); `demo --encoder` overrides it. */
    ENCODER: z.string().min(1).default('wink-glove-100d'),
    /** The expand pool's OpenAI-compatible LLM server (vLLM, or `coldstart llm-server`); unset: the catalog expander alone. `demo --llm-base-url` overrides it. */
    LLM_BASE_URL: envUrl(['http', 'https']).optional(),
    /** The model id the expand pool asks for; `demo --llm-model` overrides it (default: the server's first model). */
    LLM_MODEL: z.string().min(1).optional(),
    /**
     * Visibility timeout of the event queues `stack up` creates (an existing queue keeps its own):
     * how long a message received by an ingest that dies before deleting it stays hidden.
     */
    SQS_VISIBILITY_TIMEOUT_SECONDS: envInteger(60, { min: 1, max: 43_200 }),
    /** How many worker-expand processes the local stack runs (coalescing works across them). */
    EXPAND_PROCESSES: envInteger(1, { min: 1, max: 16 }),
    /** Pid files and logs of the processes `coldstart stack` starts. */
    COLDSTART_STATE_DIR: z.string().min(1).default(join(repoRoot(), '.coldstart')),
    LOG_LEVEL: ProcessEnv.shape.LOG_LEVEL.default('info'),
  });
export type CliConfig = z.infer<typeof CliEnv>;

export const loadConfig = (): CliConfig => parseEnv(CliEnv);

/** Where the stack's embed pool, and the tools themselves, keep encoder models (fixtures are generated there). */
export const modelsDir = (config: Pick<CliConfig, 'COLDSTART_STATE_DIR'>): string => join(config.COLDSTART_STATE_DIR, 'models');
