import { describe, expect, it } from 'vitest';
import { parseTopics, type ParsedTopics } from '@coldstart/llm';
import { expand, hostileLlmOutputs, UNSAFE_IN_TOPIC } from './corpus/hostile/hostile-corpus.js';

const outputs = hostileLlmOutputs().map((entry, index) => ({ ...entry, line: index + 1 }));

/** What every answer must look like, whatever the model said. */
function expectFormatHolds(result: ParsedTopics): void {
  expect(Object.keys(result).sort()).toEqual(result.ok ? ['ok', 'topics'] : ['error', 'ok', 'topics']);
  expect(Array.isArray(result.topics)).toBe(true);
  if (result.ok) {
    expect(result.topics.length).toBeGreaterThanOrEqual(3);
    expect(result.topics.length).toBeLessThanOrEqual(5);
  } else {
    expect(typeof result.error).toBe('string');
    expect(result.error.length).toBeGreaterThan(0);
    expect(result.topics.length).toBeLessThan(3);
  }
  for (const topic of result.topics) {
    expect(typeof topic).toBe('string');
    expect(topic.trim()).toBe(topic);
    expect(topic.length).toBeGreaterThan(0);
    expect([...topic].length).toBeLessThanOrEqual(60);
    expect(topic, JSON.stringify(topic)).not.toMatch(UNSAFE_IN_TOPIC);
    expect(topic.isWellFormed(), JSON.stringify(topic)).toBe(true);
  }
  if (!result.ok) {
    // The error names topics with JSON.stringify, so it carries no raw control character either.
    expect(result.error).not.toMatch(UNSAFE_IN_TOPIC);
    expect(result.error.isWellFormed()).toBe(true);
  }
}

describe('the hostile LLM outputs corpus through parseTopics', () => {
  it('has both outcomes and pinned topics for the tricky ones', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(40);
    expect(outputs.filter((o) => o.expect === 'ok').length).toBeGreaterThanOrEqual(15);
    expect(outputs.filter((o) => o.expect === 'refused').length).toBeGreaterThanOrEqual(10);
    expect(outputs.filter((o) => o.topics !== undefined).length).toBeGreaterThanOrEqual(15);
  });

  it.each(outputs)('line $line: $note', (entry) => {
    const text = expand(entry.text, entry.pad);
    let result: ParsedTopics | undefined;
    expect(() => (result = parseTopics(text, { truncated: entry.finishReason === 'length' }))).not.toThrow();
    if (result === undefined) return;
    expectFormatHolds(result);
    if (entry.expect === 'ok') expect(result, result.ok ? '' : result.error).toMatchObject({ ok: true });
    if (entry.expect === 'refused') expect(result.ok).toBe(false);
    if (entry.topics !== undefined) expect(result.topics).toEqual(entry.topics);
  });

  it('answers the largest hostile outputs quickly (no quadratic or exponential scans)', () => {
    const started = performance.now();
    for (const entry of outputs.filter((o) => o.pad !== undefined)) parseTopics(expand(entry.text, entry.pad));
    // Generous for a loaded CI box; a quadratic scan of 200 000 characters takes minutes.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('removes the control and bidi characters it finds and keeps the words around them', () => {
    expect(parseTopics('["Space\u0000Opera", "\u202eCyberpunk\u202c", "Time\u2066 Travel\u2069"]')).toEqual({
      ok: true,
      topics: ['Space Opera', 'Cyberpunk', 'Time Travel'],
    });
    expect(parseTopics('1. Space Opera\r\n2. Cyberpunk\r\n3. Time Travel\r\n')).toEqual({ ok: true, topics: ['Space Opera', 'Cyberpunk', 'Time Travel'] });
    expect(parseTopics('["\ud800", "\u200b", "\u2060\ufeff", "Cyberpunk"]')).toEqual({
      ok: false,
      error: 'only 1 valid topic (need 3): "Cyberpunk" (dropped 3 empty)',
      topics: ['Cyberpunk'],
    });
  });
});
