import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ProcessEnv } from '@coldstart/config';
import { ENCODER_REGISTRY, resolveEncoderSpec } from '@coldstart/embeddings';
import { ModelVariant, PROMPT_TEMPLATES, ResponseFormatMode } from '@coldstart/llm';
import type { z } from 'zod';
import { ExpandEnv } from '../../apps/worker-expand/src/config.ts';
import { chartDir, defaultValues, EXAMPLE_FILES, exampleValues, INLINE_VALUE_SETS, LLM_SHARED_SETTINGS, LLM_SINGLE_MODEL_SETTINGS, valuesWith, type Values } from './support.ts';

/*
 * values.schema.json is what makes `helm install` refuse bad values (Helm validates the
 * coalesced values with JSON Schema draft 7). No helm binary here, so ajv stands in for it.
 */

// ajv-formats is CommonJS: under ESM its default import is module.exports, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function errorsOf(values: Values): string[] {
  return validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

type Edit = (v: Values) => void;
interface Bound {
  type?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
}

/** Numeric llm.<key> -> the worker-expand variable the chart renders it as. */
const LLM_NUMBERS: Record<string, string> = Object.fromEntries(
  Object.entries({ ...LLM_SHARED_SETTINGS, ...LLM_SINGLE_MODEL_SETTINGS }).filter(([key]) => !['experiment', 'promptVersion', 'responseFormat'].includes(key)),
);
const at = (v: Values, ...path: string[]): Record<string, unknown> =>
  path.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, v);

describe('values.schema.json', () => {
  it('is a draft-07 schema, closed at the top level', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
  });

  it('accepts the chart defaults', () => {
    expect(errorsOf(defaultValues())).toEqual([]);
  });

  it.each(EXAMPLE_FILES)('accepts %s over the defaults', (file) => {
    expect(errorsOf(exampleValues(file))).toEqual([]);
  });

  it.each(INLINE_VALUE_SETS)('accepts the value set %s', (_name, valuesOf) => {
    expect(errorsOf(valuesOf())).toEqual([]);
  });

  it('accepts every tensor-parallel size a Neuron instance offers', () => {
    for (const tp of [1, 2, 4, 8, 16, 32]) expect(errorsOf(valuesWith({ vllm: { tensorParallelSize: tp } }))).toEqual([]);
  });

  const broken: [string, Edit, RegExp][] = [
    ['a string where an integer belongs', (v) => (at(v, 'apps', 'api').replicas = '2'), /apps\/api\/replicas must be integer/],
    ['negative replicas', (v) => (at(v, 'apps', 'worker-embed').replicas = -1), /replicas must be >= 0/],
    ['an unknown top-level key', (v) => (v.replicaCount = 3), /must NOT have additional properties.*replicaCount/],
    ['an unknown app setting (typo)', (v) => (at(v, 'apps', 'ingest').replica = 2), /apps\/ingest must NOT have additional properties/],
    ['an unknown app', (v) => (at(v, 'apps')['worker-rank'] = at(v, 'apps', 'worker-index')), /additionalProperty.*worker-rank/],
    ['a missing app', (v) => delete at(v, 'apps')['worker-index'], /must have required property 'worker-index'/],
    ['tensor parallel 3', (v) => (at(v, 'vllm').tensorParallelSize = 3), /tensorParallelSize must be equal to one of the allowed values/],
    ['an unknown encoder', (v) => (at(v, 'embeddings').encoder = 't5-small'), /encoder must be equal to one of the allowed values/],
    ['an unknown trigger kind', (v) => (at(v, 'autoscaling', 'pools').trigger = 'redis'), /trigger must be equal to one of the allowed values/],
    ['a port out of range', (v) => (at(v, 'config').metricsPort = 70000), /metricsPort must be <= 65535/],
    ['port 0 (fine locally, unprobe-able in a pod)', (v) => (at(v, 'api').port = 0), /api\/port must be >= 1/],
    ['an env value that is a number (Helm would print 1e+06)', (v) => (at(v, 'apps', 'ingest', 'env').DEDUPE_TTL_SECONDS = 1000000), /must be string/],
    ['a lower-case env name', (v) => (at(v, 'apps', 'ingest', 'env').debug = '1'), /property name must be valid/],
    ['both vllm.enabled and vllm.externalBaseUrl', (v) => Object.assign(at(v, 'vllm'), { enabled: true, externalBaseUrl: 'http://x:8000/v1' }), /externalBaseUrl must be equal to constant/],
    ['a PDB with both minAvailable and maxUnavailable', (v) => (at(v, 'apps', 'api').pdb = { minAvailable: 1, maxUnavailable: 1 }), /must match exactly one schema in oneOf/],
    ['runAsNonRoot false', (v) => (at(v, 'podSecurityContext').runAsNonRoot = false), /runAsNonRoot must be equal to constant/],
    ['a key prefix the apps reject', (v) => (at(v, 'config').prefix = 'my prefix'), /prefix must match pattern/],
    ['a log level the apps reject', (v) => (at(v, 'config').logLevel = 'verbose'), /logLevel must be equal to one of the allowed values/],
    ['a Prometheus query without the queue placeholder', (v) => (at(v, 'autoscaling', 'pools', 'prometheus').query = 'max(coldstart_queue_jobs)'), /query must match pattern/],
    ['a malformed IRSA role', (v) => (at(v, 'serviceAccount').roleArn = 'coldstart-role'), /roleArn must match pattern/],
    ['an LLM response format the app does not know', (v) => (at(v, 'llm').responseFormat = 'xml'), /llm\/responseFormat must be equal to one of the allowed values/],
    ['LLM maxTokens below 16', (v) => (at(v, 'llm').maxTokens = 8), /llm\/maxTokens must be >= 16/],
    ['a fractional LLM maxTokens', (v) => (at(v, 'llm').maxTokens = 128.5), /llm\/maxTokens must be integer/],
    ['LLM temperature above 2', (v) => (at(v, 'llm').temperature = 3), /llm\/temperature must be <= 2/],
    ['an unknown prompt version', (v) => (at(v, 'llm').promptVersion = 'v2'), /llm\/promptVersion must be equal to one of the allowed values/],
    ['an empty experiment name', (v) => (at(v, 'llm').experiment = ''), /llm\/experiment must NOT have fewer than 1 characters/],
    ['an unknown llm key (LLM_BASE_URL comes from vllm)', (v) => (at(v, 'llm').baseUrl = 'http://x:8000/v1'), /\/llm must NOT have additional properties.*baseUrl/],
    ['an LLM_ variable in worker-expand env (rendered from llm, it would be set twice)', (v) => (at(v, 'apps', 'worker-expand', 'env').LLM_BASE_URL = 'http://x:8000/v1'), /worker-expand\/env property name must be valid/],
    ['a variant without a model', (v) => (at(v, 'llm').variants = { a: { baseUrl: 'http://x:8000/v1' } }), /variants\/a must have required property 'model'/],
    ['a variant with a snake_case key (typo)', (v) => (at(v, 'llm').variants = { a: { baseUrl: 'http://x:8000/v1', model: 'm', max_tokens: 64 } }), /variants\/a must NOT have additional properties.*max_tokens/],
    ['a variant name with capitals', (v) => (at(v, 'llm').variants = { Llama: { baseUrl: 'http://x:8000/v1', model: 'm' } }), /variants property name must be valid/],
    ['a variant URL that is not http(s)', (v) => (at(v, 'llm').variants = { a: { baseUrl: 'x:8000/v1', model: 'm' } }), /baseUrl must match pattern/],
    ['a variant key variable the chart never sets', (v) => (at(v, 'llm').variants = { a: { baseUrl: 'http://x:8000/v1', model: 'm', apiKeyEnv: 'OPENAI_API_KEY' } }), /apiKeyEnv must be equal to one of the allowed values/],
    ['variants that all weigh 0 (no user would get one)', (v) => (at(v, 'llm').variants = { a: { baseUrl: 'http://x:8000/v1', model: 'm', weight: 0 } }), /variants must NOT be valid/],
  ];

  it.each(broken)('rejects %s', (_what, edit, message) => {
    const values = structuredClone(defaultValues());
    edit(values);
    const errors = errorsOf(values);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(message);
  });

  const enumOf = (path: string[]): unknown[] =>
    (path.reduce<Record<string, unknown>>((node, key) => (node[key] ?? (node.properties as Record<string, unknown>)[key]) as Record<string, unknown>, schema)
      .enum as unknown[]);

  it('offers exactly the encoders the embed pool resolves', () => {
    const encoders = enumOf(['properties', 'embeddings', 'encoder']) as string[];
    for (const id of Object.keys(ENCODER_REGISTRY)) expect(encoders).toContain(id);
    for (const id of encoders) expect(() => resolveEncoderSpec(id)).not.toThrow();
  });

  it("offers exactly the apps' log levels", () => {
    expect(enumOf(['properties', 'config', 'logLevel'])).toEqual(ProcessEnv.shape.LOG_LEVEL.unwrap().options);
  });

  const llmProperties = (schema.properties as Record<string, { properties: Record<string, Bound> }>).llm!.properties;
  const variantProperties = (llmProperties.variants as unknown as { additionalProperties: { properties: Record<string, Bound> } }).additionalProperties.properties;

  it('offers exactly the prompt versions and response formats the LLM expander knows', () => {
    for (const properties of [llmProperties, variantProperties]) {
      expect(properties.promptVersion!.enum).toEqual(Object.keys(PROMPT_TEMPLATES));
      expect(properties.responseFormat!.enum).toEqual(ResponseFormatMode.options);
    }
  });

  // Both ends of each range must be accepted by the app and one step beyond refused, so the
  // chart neither refuses a setting the app takes nor lets through one that crash-loops the pool.
  const bounds: [string, Bound, z.ZodType, (n: number) => unknown][] = [
    ...Object.entries(LLM_NUMBERS).map(([key, variable]): [string, Bound, z.ZodType, (n: number) => unknown] => [
      `llm.${key} (${variable})`,
      llmProperties[key]!,
      (ExpandEnv.shape as Record<string, z.ZodType>)[variable]!,
      String,
    ]),
    ...['temperature', 'maxTokens', 'weight'].map((key): [string, Bound, z.ZodType, (n: number) => unknown] => [
      `llm.variants.*.${key}`,
      variantProperties[key]!,
      (ModelVariant.shape as Record<string, z.ZodType>)[key]!,
      (n) => n,
    ]),
  ];

  it.each(bounds)('bounds %s exactly like the app', (_what, bound, zod, asInput) => {
    const step = bound.type === 'integer' ? 1 : 0.001;
    expect(bound.minimum).toBeTypeOf('number');
    expect(bound.maximum).toBeTypeOf('number');
    for (const n of [bound.minimum!, bound.maximum!]) expect(zod.safeParse(asInput(n)).success, `app refuses ${n}`).toBe(true);
    for (const n of [bound.minimum! - step, bound.maximum! + step]) expect(zod.safeParse(asInput(n)).success, `app takes ${n}`).toBe(false);
    if (bound.type === 'integer') expect(zod.safeParse(asInput(bound.minimum! + 0.5)).success).toBe(false);
  });

  it('bounds the experiment name and the system prompts like the app', () => {
    const experiment = llmProperties.experiment!;
    const variable = ExpandEnv.shape.LLM_EXPERIMENT;
    expect(variable.safeParse('x'.repeat(experiment.maxLength!)).success).toBe(true);
    expect(variable.safeParse('x'.repeat(experiment.maxLength! + 1)).success).toBe(false);
    expect(variable.safeParse('x'.repeat(experiment.minLength! - 1)).success).toBe(false);
    for (const [bound, zod] of [
      [llmProperties.systemPrompt!, ExpandEnv.shape.LLM_SYSTEM_PROMPT],
      [variantProperties.system!, ModelVariant.shape.system],
    ] as const) {
      expect(zod.safeParse('x'.repeat(bound.maxLength!)).success).toBe(true);
      expect(zod.safeParse('x'.repeat(bound.maxLength! + 1)).success).toBe(false);
    }
  });
});
