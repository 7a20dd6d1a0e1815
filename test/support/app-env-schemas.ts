import type { z } from 'zod';
import { ApiEnv } from '../../apps/api/src/config.ts';
import { IngestEnv } from '../../apps/ingest/src/config.ts';
import { EmbedEnv } from '../../apps/worker-embed/src/config.ts';
import { ExpandEnv } from '../../apps/worker-expand/src/config.ts';
import { IndexEnv } from '../../apps/worker-index/src/config.ts';
import { RecommendEnv } from '../../apps/worker-recommend/src/config.ts';

export type EnvSchema = z.ZodObject<z.ZodRawShape>;

/**
 * Each long-running app and the schema its main.ts parses the environment with, so deployment
 * files (compose, the Helm chart) can be checked against what the apps really accept.
 */
export const APP_ENV_SCHEMAS: Record<string, EnvSchema> = {
  ingest: IngestEnv,
  'worker-expand': ExpandEnv,
  'worker-embed': EmbedEnv,
  'worker-index': IndexEnv,
  'worker-recommend': RecommendEnv,
  api: ApiEnv,
};
