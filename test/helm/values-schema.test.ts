import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ProcessEnv } from '@coldstart/config';
import { ENCODER_REGISTRY, resolveEncoderSpec } from '@coldstart/embeddings';
import { chartDir, defaultValues, EXAMPLE_FILES, exampleValues, valuesWith, type Values } from './support.ts';

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
});
