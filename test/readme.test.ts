import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_EXAMPLES, parseEventBody } from '@coldstart/events';
import { OpsEnv } from '../apps/ops/src/config.ts';
import { SnapshotCliEnv } from '../apps/ops/src/snapshot/snapshot-env.ts';
import { CliEnv } from '../tools/cli/src/config.ts';
import { APP_ENV_SCHEMAS } from './support/app-env-schemas.ts';

const docs = join(import.meta.dirname, '..', 'docs');
const read = (page: string) => readFileSync(join(docs, page), 'utf8');

describe('docs', () => {
  it('event-contract.md shows one valid example of each event type, identical to the exported examples', () => {
    const blocks = [...read('event-contract.md').matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1] ?? '');
    expect(blocks.map((block) => JSON.parse(block) as unknown)).toEqual(EVENT_EXAMPLES);
    for (const block of blocks) expect(parseEventBody(block)).toMatchObject({ ok: true });
  });

  it('configuration.md documents every variable every app and the coldstart command read', () => {
    // The schemas the processes parse their environment with, not their source text: a variable
    // spread in from a shared schema (PoolEnv, S3Env, …) counts for each app that takes it.
    const schemas = { ...APP_ENV_SCHEMAS, ops: OpsEnv, 'ops snapshot': SnapshotCliEnv, cli: CliEnv };
    const configuration = read('configuration.md');
    const missing = Object.entries(schemas).flatMap(([app, schema]) =>
      Object.keys(schema.shape)
        .filter((variable) => !configuration.includes(`\`${variable}\``))
        .map((variable) => `${app}: ${variable}`),
    );
    expect(Object.keys(schemas)).toContain('worker-index');
    expect(missing).toEqual([]);
  });
});
