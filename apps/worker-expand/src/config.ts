import { z } from 'zod';
import { envInteger, envNumber, envUrl, parseEnv, PoolEnv } from '@coldstart/config';
import { ModelVariants, PROMPT_TEMPLATES, ResponseFormatMode } from '@coldstart/llm';

/** The variant name LLM_BASE_URL's single model gets in stored expansions and metrics. */
export const SINGLE_VARIANT = 'default';

const variantsJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `must be JSON: ${(error as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(ModelVariants);

export const ExpandEnv = PoolEnv.extend({
  /** Expand jobs mostly wait (on the LLM server, or on another process's identical request), so one process runs many at once. */
  POOL_CONCURRENCY: envInteger(64, { min: 1, max: 1_000 }),
  /** How long the catalog's category statistics are reused before they are read again. */
  EXPANDER_STATS_REFRESH_MS: envInteger(10_000, { min: 0, max: 3_600_000 }),

  // The LLM expander: on when LLM_BASE_URL (one model) or LLM_VARIANTS (an experiment) is set;
  // otherwise the catalog expander serves alone.
  /** An OpenAI-compatible API root, e.g. vLLM's http://vllm:8000/v1. */
  LLM_BASE_URL: envUrl(['http', 'https']).optional(),
  LLM_MODEL: z.string().min(1).default('coldstart-local'),
  /** Sent as the bearer token (vLLM's --api-key); never logged. */
  LLM_API_KEY: z.string().optional(),
  LLM_PROMPT_VERSION: z.enum(Object.keys(PROMPT_TEMPLATES) as [string, ...string[]]).default('published-v1'),
  /** Optional system message before the prompt (the model's chat template applies it). */
  LLM_SYSTEM_PROMPT: z.string().max(4_000).optional(),
  LLM_TEMPERATURE: envNumber(0, { min: 0, max: 2 }),
  LLM_MAX_TOKENS: envInteger(128, { min: 16, max: 4_096 }),
  LLM_RESPONSE_FORMAT: ResponseFormatMode.default('json_schema'),
  /** JSON {"<variant>": {baseUrl, model, weight, …}} for comparing models on live traffic; replaces LLM_BASE_URL. */
  LLM_VARIANTS: variantsJson.optional(),
  /** Users are assigned to variants by a stable hash of this name and their userId. */
  LLM_EXPERIMENT: z.string().min(1).max(100).default('expansion'),
  LLM_TIMEOUT_MS: envInteger(10_000, { min: 100, max: 300_000 }),
  /** Retries of one request on 408, 5xx and network errors (429 pauses the queue instead). */
  LLM_RETRIES: envInteger(2, { min: 0, max: 10 }),
  LLM_RETRY_BASE_MS: envInteger(200, { min: 0, max: 60_000 }),
  LLM_BREAKER_FAILURES: envInteger(5, { min: 1, max: 1_000 }),
  LLM_BREAKER_OPEN_MS: envInteger(10_000, { min: 100, max: 3_600_000 }),
  LLM_CACHE_TTL_SECONDS: envInteger(7 * 24 * 3600, { min: 1, max: 365 * 24 * 3600 }),
  /** Longest a process may hold an in-flight request's lease before another takes over. */
  LLM_COALESCE_LEASE_MS: envInteger(60_000, { min: 1_000, max: 600_000 }),
  /** LLM requests per second across all expand processes (and per variant); over it, jobs wait. 0 = unlimited. */
  LLM_RATE_LIMIT_PER_SEC: envInteger(20, { min: 0, max: 100_000 }),
  /** LLM requests at once per expand process; the others wait their turn in order (a job carries up to 50 signups). */
  LLM_MAX_IN_FLIGHT: envInteger(256, { min: 1, max: 100_000 }),
  /** Conversations per request to vLLM's /v1/chat/completions/batch; 1 sends each on its own (a server without the endpoint gets that anyway). */
  LLM_BATCH_MAX: envInteger(32, { min: 1, max: 1_024 }),
  /** How long a conversation waits for others to share its request. */
  LLM_BATCH_WINDOW_MS: envInteger(5, { min: 0, max: 1_000 }),
}).superRefine((env, ctx) => {
  if (env.LLM_BASE_URL && env.LLM_VARIANTS) {
    ctx.addIssue({ code: 'custom', path: ['LLM_VARIANTS'], message: 'set LLM_BASE_URL (one model) or LLM_VARIANTS (an experiment), not both' });
  }
});
export type ExpandConfig = z.infer<typeof ExpandEnv>;

export const loadConfig = () => parseEnv(ExpandEnv);

/** The configured model variants, or undefined when no LLM is configured. */
export function configuredVariants(config: ExpandConfig): ModelVariants | undefined {
  if (config.LLM_VARIANTS) return config.LLM_VARIANTS;
  if (!config.LLM_BASE_URL) return undefined;
  return {
    [SINGLE_VARIANT]: {
      baseUrl: config.LLM_BASE_URL,
      model: config.LLM_MODEL,
      ...(config.LLM_API_KEY ? { apiKeyEnv: 'LLM_API_KEY' } : {}),
      promptVersion: config.LLM_PROMPT_VERSION,
      ...(config.LLM_SYSTEM_PROMPT ? { system: config.LLM_SYSTEM_PROMPT } : {}),
      temperature: config.LLM_TEMPERATURE,
      maxTokens: config.LLM_MAX_TOKENS,
      responseFormat: config.LLM_RESPONSE_FORMAT,
      weight: 1,
    },
  };
}
