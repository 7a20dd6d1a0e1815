import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, sourceFiles } from './support/source-files.js';

// A file over 400 lines holds more than one concept a reader has to keep apart; tests are exempt
// (a table of cases is long without being tangled).
const MAX_LINES = 400;

describe('source files', () => {
  it(`are at most ${MAX_LINES} lines each, outside tests`, () => {
    const over = sourceFiles().flatMap((file) => {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      return lines > MAX_LINES ? [`${file}: ${lines} lines`] : [];
    });
    expect(over).toEqual([]);
  });
});
