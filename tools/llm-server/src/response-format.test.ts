import { describe, expect, it } from 'vitest';
import { limitTokens, malformOutput } from './malformed-output.js';
import { seededRandom } from '@coldstart/runtime';
import { answerShape, renderAnswer, topicCount, UnsupportedSchemaError } from './response-format.js';
import { estimateTokens, truncateToTokens } from './token-estimate.js';

const TOPICS = ['epic-fantasy', 'magic', 'dragons', 'urban-fantasy', 'fae'];
const ANSWER = JSON.stringify(TOPICS);
const array = (bounds: object = {}) => ({ type: 'array', items: { type: 'string' }, ...bounds });

describe('answerShape', () => {
  it('answers a plain list without a format, {"topics"} for json_object, and the schema\'s shape', () => {
    expect(renderAnswer(answerShape(undefined), TOPICS)).toBe(ANSWER);
    expect(renderAnswer(answerShape({ type: 'text' }), TOPICS)).toBe(ANSWER);
    expect(JSON.parse(renderAnswer(answerShape({ type: 'json_object' }), TOPICS))).toEqual({ topics: TOPICS });
    const object = answerShape({ type: 'json_schema', json_schema: { schema: { type: 'object', properties: { keywords: array({ maxItems: 3 }) }, required: ['keywords'] } } });
    expect(object).toEqual({ kind: 'object', property: 'keywords', minItems: 0, maxItems: 3 });
    expect(topicCount(object)).toBe(3);
    expect(topicCount(answerShape({ type: 'json_schema', json_schema: { schema: array({ minItems: 7 }) } }))).toBe(7);
  });

  it('refuses schemas it cannot satisfy rather than answer something else', () => {
    const unsupported = [{ type: 'object', properties: { a: array(), b: array() } }, { type: 'array', items: { type: 'number' } }, array({ minItems: 4, maxItems: 2 })];
    for (const schema of unsupported) expect(() => answerShape({ type: 'json_schema', json_schema: { schema } })).toThrow(UnsupportedSchemaError);
  });
});

describe('tokens and malformed outputs', () => {
  it('counts words and punctuation, and truncates after the n-th token', () => {
    expect(estimateTokens('["a-b", "c"]')).toBe(11);
    expect(truncateToTokens('["a-b", "c"]', 4)).toBe('["a-');
    expect(truncateToTokens('["a"]', 10)).toBe('["a"]');
    // Five topics never fit in the published notebook's max_tokens 16.
    expect(limitTokens({ content: JSON.stringify(['a', 'b', 'c', 'd', 'e']), finishReason: 'stop' }, 16).finishReason).toBe('length');
    expect(limitTokens({ content: ANSWER, finishReason: 'stop' }, 64)).toEqual({ content: ANSWER, finishReason: 'stop' });
  });

  it('wraps, pads or breaks the answer the way models do', () => {
    const context = { interests: ['fantasy'], random: seededRandom(1) };
    expect(malformOutput('fenced', ANSWER, context).content).toBe(`\`\`\`json\n${ANSWER}\n\`\`\``);
    const prose = malformOutput('prose', ANSWER, context).content;
    expect(prose).toMatch(/^[A-Z].*: \[.*\] [A-Z].*\.$/);
    expect(prose).toContain(ANSWER);
    const think = malformOutput('think', ANSWER, context).content;
    expect(think).toMatch(/^<think>\n.*fantasy.*\n<\/think>\n\n/);
    expect(think.endsWith(ANSWER)).toBe(true);
    const truncated = malformOutput('truncated', ANSWER, context);
    expect(truncated.finishReason).toBe('length');
    expect(ANSWER.startsWith(truncated.content)).toBe(true);
    expect(() => JSON.parse(truncated.content) as unknown).toThrow();
    for (let seed = 0; seed < 20; seed++) {
      const garbage = malformOutput('garbage', ANSWER, { interests: [], random: seededRandom(seed) }).content;
      for (const topic of TOPICS) expect(garbage).not.toContain(topic);
      expect(() => JSON.parse(garbage) as unknown).toThrow();
    }
  });
});
