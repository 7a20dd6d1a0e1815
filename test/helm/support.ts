import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { mergeValues, renderChart, type RenderedChart } from './render.ts';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const chartDir = join(root, 'helm', 'coldstart');

export type Values = Record<string, unknown>;

export const readYaml = (path: string): Values => parse(readFileSync(path, 'utf8')) as Values;

export const defaultValues = (): Values => readYaml(join(chartDir, 'values.yaml'));

/** `helm install -f <file>`: the file's values coalesced over the chart's defaults. */
export const valuesWith = (...overrides: Values[]): Values =>
  overrides.reduce<Values>((acc, o) => mergeValues(acc, o) as Values, defaultValues());

export const EXAMPLE_FILES = ['values-eks-neuron.yaml', 'values-external-llm.yaml'] as const;

export const exampleValues = (file: string): Values => valuesWith(readYaml(join(chartDir, file)));

/**
 * LLM configurations no example file shows, over the defaults. The example files cover vLLM in
 * the release (values-eks-neuron) and an external one (values-external-llm); these add every
 * llm setting off its default, and an experiment across variants that must win over vllm.enabled.
 */
export const INLINE_VALUE_SETS: [string, () => Values][] = [
  [
    'llm tuned, external vLLM with an API key (inline)',
    () =>
      valuesWith({
        secrets: { existingSecret: 'coldstart-secrets' },
        vllm: { externalBaseUrl: 'https://llm.example.com/v1', model: 'Qwen/Qwen2.5-7B-Instruct' },
        llm: {
          promptVersion: 'contextual-v1',
          // Quotes, a newline and YAML-significant characters: quoted as one string.
          systemPrompt: 'Answer with "JSON" only.\nNo prose: # none',
          temperature: 0.7,
          maxTokens: 4096,
          responseFormat: 'json_object',
          experiment: 'qwen-rollout',
          timeoutMs: 300_000,
          retries: 0,
          retryBaseMs: 60_000,
          breakerFailures: 1_000,
          breakerOpenMs: 3_600_000,
          // Helm would print a values number this large as 3.1536e+07 without `int`.
          cacheTtlSeconds: 31_536_000,
          coalesceLeaseMs: 1_000,
          rateLimitPerSec: 0,
          maxInFlight: 100_000,
          batchMax: 1_024,
          batchWindowMs: 1_000,
          apiKeySecretKey: 'LLM_API_KEY',
        },
      }),
  ],
  [
    'llm.variants over vllm.enabled (inline)',
    () =>
      valuesWith({
        secrets: { existingSecret: 'coldstart-secrets' },
        vllm: { enabled: true },
        llm: {
          apiKeySecretKey: 'LLM_API_KEY',
          experiment: 'llama-vs-qwen',
          variants: {
            'llama-8b': { baseUrl: 'http://rel-coldstart-vllm.coldstart.svc:8000/v1', model: 'meta-llama/Llama-3.1-8B-Instruct', weight: 9 },
            'qwen-7b': {
              baseUrl: 'https://llm.example.com/v1',
              model: 'Qwen/Qwen2.5-7B-Instruct',
              apiKeyEnv: 'LLM_API_KEY',
              promptVersion: 'contextual-v1',
              system: 'Topics <only> & "JSON"',
              temperature: 0.2,
              maxTokens: 256,
              responseFormat: 'plain',
              weight: 1,
            },
          },
        },
      }),
  ],
  [
    'a Redis Cluster (ElastiCache cluster mode) with KEDA on its queues (inline)',
    () =>
      valuesWith({
        config: { redisUrl: 'redis-cluster://clustercfg.coldstart.abc123.use1.cache.amazonaws.com:6379' },
        // `cluster` left false: the redis-cluster:// URL implies it.
        autoscaling: { enabled: true, pools: { redis: { address: 'clustercfg.coldstart.abc123.use1.cache.amazonaws.com:6379' } } },
      }),
  ],
];

/** Every value set the tests render: the defaults, each example file and the inline sets. */
export const VALUE_SETS: [string, () => Values][] = [
  ['values.yaml', defaultValues],
  ...EXAMPLE_FILES.map((file): [string, () => Values] => [file, () => exampleValues(file)]),
  ...INLINE_VALUE_SETS,
];

/** The release every render uses; the in-cluster vLLM URL is built from it. */
export const RELEASE = { name: 'rel', namespace: 'coldstart' } as const;

export const render = (values: Values): RenderedChart => renderChart(chartDir, values, { ...RELEASE });

// --- loose views of the Kubernetes objects the tests read -------------------------------

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface Deployment {
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName: string;
        terminationGracePeriodSeconds?: number;
        securityContext?: Record<string, unknown>;
        containers: Container[];
        volumes?: { name: string; emptyDir?: unknown; persistentVolumeClaim?: { claimName: string } }[];
        nodeSelector?: Record<string, string>;
        tolerations?: { key?: string; operator?: string; effect?: string }[];
      };
    };
  };
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> | null };
  spec?: Record<string, unknown>;
}

export const objects = (chart: RenderedChart): K8sObject[] => chart.documents.map((d) => d.doc as unknown as K8sObject);

export const ofKind = <T = K8sObject>(chart: RenderedChart, kind: string): T[] =>
  objects(chart).filter((o) => o.kind === kind) as T[];

export const component = (o: { metadata: { labels?: Record<string, string> } }): string | undefined =>
  o.metadata.labels?.['app.kubernetes.io/component'];

/** llm.<key> -> the worker-expand variable it becomes, whenever the LLM is on. */
export const LLM_SHARED_SETTINGS: Record<string, string> = {
  experiment: 'LLM_EXPERIMENT',
  timeoutMs: 'LLM_TIMEOUT_MS',
  retries: 'LLM_RETRIES',
  retryBaseMs: 'LLM_RETRY_BASE_MS',
  breakerFailures: 'LLM_BREAKER_FAILURES',
  breakerOpenMs: 'LLM_BREAKER_OPEN_MS',
  cacheTtlSeconds: 'LLM_CACHE_TTL_SECONDS',
  coalesceLeaseMs: 'LLM_COALESCE_LEASE_MS',
  rateLimitPerSec: 'LLM_RATE_LIMIT_PER_SEC',
  maxInFlight: 'LLM_MAX_IN_FLIGHT',
  batchMax: 'LLM_BATCH_MAX',
  batchWindowMs: 'LLM_BATCH_WINDOW_MS',
};
/** llm.<key> -> variable, only for the one model at vllm's URL (each variant carries its own). */
export const LLM_SINGLE_MODEL_SETTINGS: Record<string, string> = {
  promptVersion: 'LLM_PROMPT_VERSION',
  temperature: 'LLM_TEMPERATURE',
  maxTokens: 'LLM_MAX_TOKENS',
  responseFormat: 'LLM_RESPONSE_FORMAT',
};
