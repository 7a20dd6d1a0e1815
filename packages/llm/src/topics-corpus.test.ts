import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTopics, type ParsedTopics } from './parse-topics.js';

// Messy outputs written by us in the style small instruction models answer the topics prompt
// with; see ../corpus/README.md.
const corpusUrl = new URL('../corpus/messy-outputs.jsonl', import.meta.url);

interface CorpusLine {
  text: string;
  finishReason?: string;
  /** The topics a careful reader takes from the output, or null when it must be refused. */
  expect: string[] | null;
  why?: string;
}

const corpus = readFileSync(corpusUrl, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CorpusLine);

function asIntended(entry: CorpusLine, result: ParsedTopics): boolean {
  if (entry.expect === null) return !result.ok;
  return result.ok && JSON.stringify(result.topics) === JSON.stringify(entry.expect);
}

describe('the messy-outputs corpus', () => {
  it('has enough lines, each with an expectation', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    for (const entry of corpus) {
      expect(typeof entry.text).toBe('string');
      expect(entry.expect === null ? typeof entry.why : Array.isArray(entry.expect)).toBe(entry.expect === null ? 'string' : true);
    }
  });

  it('parses at least 90 % of it as intended, without throwing', () => {
    const misses: string[] = [];
    let thrown = 0;
    for (const [index, entry] of corpus.entries()) {
      let result: ParsedTopics;
      try {
        result = parseTopics(entry.text, { truncated: entry.finishReason === 'length' });
      } catch (error) {
        thrown++;
        misses.push(`line ${index + 1}: threw ${String(error)}`);
        continue;
      }
      if (!asIntended(entry, result)) {
        misses.push(`line ${index + 1}: expected ${JSON.stringify(entry.expect)}, got ${JSON.stringify(result)}`);
      }
    }
    const share = (corpus.length - misses.length) / corpus.length;
    console.log(`topics corpus: ${corpus.length - misses.length}/${corpus.length} as intended (${(share * 100).toFixed(1)} %)`);
    for (const miss of misses) console.log(`  miss ${miss}`);
    expect(thrown).toBe(0);
    expect(share).toBeGreaterThanOrEqual(0.9);
  });
});
