import { describe, expect, it } from 'vitest';
import { contextualV1, publishedV1, type ChatMessage } from '@coldstart/llm';
import { hostileInterests, hostileItemTexts } from './corpus/hostile/hostile-corpus.js';

/*
 * Seed titles and interests are untrusted catalog and user text embedded in the expander's
 * prompt: they must not add a line to it, close their own quotes, or carry chat-template tokens,
 * bidi overrides or C1 NEL to the model.
 */

const items = hostileItemTexts();
const interests = hostileInterests();
const seed = (title: string, index = 0) => ({ itemId: `i-${index}`, title, categories: ['history'] });
const userText = (messages: ChatMessage[] | undefined) => messages?.find((m) => m.role === 'user')?.content ?? '';
// Every character an LLM runtime or a template renderer may treat as a line break.
const LINE_BREAK = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/;

describe('contextual-v1 with hostile seed titles', () => {
  it.each(items)('keeps its four lines: $note', ({ title }) => {
    const prompt = userText(contextualV1.render({ userId: 'u', categories: ['history'], seedItems: [seed(title)] })?.messages);
    const lines = prompt.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('The user has shown interest in: history.');
    expect(lines[1]).toMatch(/^Books they named: ".*"\.$/);
    expect(lines.slice(2)).toEqual(['Suggest 3–5 related book topics they might enjoy.', 'Respond with a JSON list of topic keywords.']);
  });

  it('keeps at most three titles of up to 1000 characters each, so the prompt stays bounded', () => {
    const titles = items.map((i) => i.title);
    const prompt = userText(contextualV1.render({ userId: 'u', categories: [], seedItems: titles.map(seed) })?.messages);
    expect(prompt.split('\n')).toHaveLength(4);
    expect(prompt.length).toBeLessThan(3 * 1000 + 300);
  });

  it('a title cannot close its own quotes', () => {
    const title = items.find((i) => i.note.startsWith('a title that closes its quote'))!.title;
    const prompt = userText(contextualV1.render({ userId: 'u', categories: ['history'], seedItems: [seed(title)] })?.messages);
    const named = prompt.split('\n')[1]!;
    // One title, so one quoted string on the line: an odd number of inner quotes breaks out.
    const inner = named.slice('Books they named: "'.length, -'".'.length);
    expect(inner).not.toMatch(/(?<!\\)"/);
  });

  it('chat-template tokens in a title do not reach the model verbatim', () => {
    const title = items.find((i) => i.note === 'chat-template tokens in the title')!.title;
    const prompt = userText(contextualV1.render({ userId: 'u', categories: ['history'], seedItems: [seed(title)] })?.messages);
    expect(prompt).not.toContain('<|eot_id|>');
  });
});

describe.each([
  ['published-v1', publishedV1],
  ['contextual-v1', contextualV1],
])('%s with hostile interests', (_name, template) => {
  it.each(interests)('keeps the interests on one line: $note', ({ category }) => {
    const rendered = template.render({ userId: 'u', categories: [category], seedItems: [] });
    const prompt = userText(rendered?.messages);
    expect(prompt.split('\n')).toHaveLength(3);
    expect(prompt.split('\n')[0]).toMatch(/^The user has shown interest in: .+\.$/);
    expect(prompt.split('\n')[0]).not.toMatch(LINE_BREAK);
  });

});
