import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_EXAMPLES } from './event-examples.js';
import { parseEventBody } from './parse-event-body.js';

// The README is the published contract; its JSON examples must stay the exported,
// valid examples rather than drift into hand-edited copies.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const jsonBlocks = [...readme.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1] ?? '');

describe('README.md', () => {
  it('shows exactly the exported examples, one per type, and they parse', () => {
    expect(jsonBlocks.map((block) => JSON.parse(block) as unknown)).toEqual(EVENT_EXAMPLES);
    for (const block of jsonBlocks) {
      expect(parseEventBody(block)).toMatchObject({ ok: true });
    }
  });
});
