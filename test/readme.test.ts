import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_EXAMPLES, parseEventBody } from '@coldstart/events';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const contract = readme.slice(readme.indexOf('## Event contract'), readme.indexOf('## Configuration'));

describe('README', () => {
  it('shows one valid example of each event type, identical to the exported examples', () => {
    const blocks = [...contract.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1] ?? '');
    expect(blocks.map((block) => JSON.parse(block) as unknown)).toEqual(EVENT_EXAMPLES);
    for (const block of blocks) expect(parseEventBody(block)).toMatchObject({ ok: true });
  });

  it('documents every variable the apps read', () => {
    const sources = ['ingest', 'worker-expand', 'worker-embed', 'worker-recommend', 'api', 'cli']
      .map((app) => readFileSync(join(import.meta.dirname, '..', 'apps', app, 'src', 'config.ts'), 'utf8'))
      .concat(readFileSync(join(import.meta.dirname, '..', 'packages', 'config', 'src', 'common-env.ts'), 'utf8'));
    const variables = new Set(sources.flatMap((source) => [...source.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!)));
    expect(variables.size).toBeGreaterThan(15);
    for (const variable of variables) expect(readme, variable).toContain(`\`${variable}\``);
  });
});
