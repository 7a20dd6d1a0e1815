import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from './event-schemas.js';
import { parseEventBody } from './parse-event-body.js';

// The shared corpus lives at the repo root so the CLI and other tools can replay it;
// this test keeps it honest against the parser. Oversize and deeply nested bodies are
// generated in parse-event-body.test.ts instead, to keep the file small.
const corpusUrl = new URL('../../../test/corpus/events.jsonl', import.meta.url);
const corpusText = readFileSync(corpusUrl, 'utf8');

interface CorpusLine {
  body: string;
  expect: string;
  errorIncludes?: string;
  note?: string;
}

const entries = corpusText
  .split('\n')
  .map((text, index) => ({ text, lineNumber: index + 1 }))
  .filter(({ text }) => text.trim() !== '')
  .map(({ text, lineNumber }) => ({ lineNumber, line: JSON.parse(text) as CorpusLine }));

describe('test/corpus/events.jsonl', () => {
  it('is a well-formed corpus of at least 30 lines under 1 MB', () => {
    expect(Buffer.byteLength(corpusText, 'utf8')).toBeLessThan(1024 * 1024);
    expect(entries.length).toBeGreaterThanOrEqual(30);
    const allowed = new Set<string>([...EVENT_TYPES, 'invalid']);
    for (const { line } of entries) {
      expect(typeof line.body).toBe('string');
      expect(allowed.has(line.expect), line.expect).toBe(true);
    }
    for (const type of [...EVENT_TYPES, 'invalid']) {
      expect(entries.some(({ line }) => line.expect === type), type).toBe(true);
    }
  });

  it.each(entries)('line $lineNumber: $line.note', ({ line }) => {
    const result = parseEventBody(line.body);
    if (line.expect === 'invalid') {
      expect(result.ok).toBe(false);
      if (!result.ok && line.errorIncludes !== undefined) expect(result.error).toContain(line.errorIncludes);
    } else {
      expect(result, result.ok ? '' : result.error).toMatchObject({ ok: true, event: { type: line.expect } });
    }
  });
});
