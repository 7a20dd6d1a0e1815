import { describe, expect, it } from 'vitest';
import { parseTopics, type ParsedTopics, type ParseTopicsOptions } from './parse-topics.js';

const ok = (...topics: string[]): ParsedTopics => ({ ok: true, topics });
const refused = (error: string, ...topics: string[]): ParsedTopics => ({ ok: false, error, topics });
const SFF = ok('Space Opera', 'Cyberpunk', 'Time Travel');

// [form, raw model output, options, expected result]
const table: [string, string, ParseTopicsOptions, ParsedTopics][] = [
  ['plain JSON list', '["Space Opera", "Cyberpunk", "Time Travel"]', {}, SFF],
  ['JSON in a ```json fence', '```json\n["Space Opera", "Cyberpunk", "Time Travel"]\n```', {}, SFF],
  ['JSON in a bare ``` fence', '```\n["Space Opera", "Cyberpunk", "Time Travel"]\n```', {}, SFF],
  ['prose before the list', 'Sure! Here is a JSON list of related topics:\n["Space Opera", "Cyberpunk", "Time Travel"]', {}, SFF],
  ['prose after the list', '["Space Opera", "Cyberpunk", "Time Travel"]\n\nThese share the wonder of science fiction. [1]', {}, SFF],
  ['prose on both sides of a fence', 'Here you go:\n```json\n["Space Opera", "Cyberpunk", "Time Travel"]\n```\nEnjoy!', {}, SFF],
  ['{"topics": [...]}', '{"topics": ["Space Opera", "Cyberpunk", "Time Travel"]}', {}, SFF],
  ['{"keywords": [...]}', '{"keywords": ["Space Opera", "Cyberpunk", "Time Travel"]}', {}, SFF],
  ['object with a list and other fields', '{"category": "sci-fi", "related": ["Space Opera", "Cyberpunk", "Time Travel"], "note": "x"}', {}, SFF],
  ['nested single-key objects', '{"response": {"topics": ["Space Opera", "Cyberpunk", "Time Travel"]}}', {}, SFF],
  ['one string field per topic', '{"topic1": "Space Opera", "topic2": "Cyberpunk", "topic3": "Time Travel"}', {}, SFF],
  ['topics as keys with explanations', '{"Space Opera": "epic adventures across galaxies", "Cyberpunk": "hackers against the megacorps", "Time Travel": "paradoxes and alternate timelines"}', {}, SFF],
  ['array of single-field objects', '[{"topic": "Space Opera"}, {"topic": "Cyberpunk"}, {"topic": "Time Travel"}]', {}, SFF],
  ['array of objects with a topic and a reason', '[{"name": "Space Opera", "why": "epic"}, {"name": "Cyberpunk", "why": "neon"}, {"name": "Time Travel", "why": "paradoxes"}]', {}, SFF],
  ['one JSON object per line', '{"topic": "Space Opera"}\n{"topic": "Cyberpunk"}\n{"topic": "Time Travel"}', {}, SFF],
  ['single-quoted list', "['Space Opera', 'Cyberpunk', 'Time Travel']", {}, SFF],
  ['single quotes around an apostrophe', "['children's books', 'fairy tales', 'fables']", {}, ok("children's books", 'fairy tales', 'fables')],
  ['smart quotes', '[“Space Opera”, “Cyberpunk”, “Time Travel”]', {}, SFF],
  ['trailing commas', '{"topics": ["Space Opera", "Cyberpunk", "Time Travel",],}', {}, SFF],
  ['// and /* */ comments', '[\n  "Space Opera", // big\n  /* neon */ "Cyberpunk",\n  "Time Travel"\n]', {}, SFF],
  ['Python None and True', '["Space Opera", None, "Cyberpunk", True, "Time Travel"]', {}, SFF],
  ['unquoted items in brackets', '[Space Opera, Cyberpunk, Time Travel]', {}, SFF],
  ['literal \\n escapes instead of line breaks', '[\\n  "Space Opera",\\n  "Cyberpunk",\\n  "Time Travel"\\n]', {}, SFF],
  ['double-encoded JSON string', '"[\\"Space Opera\\", \\"Cyberpunk\\", \\"Time Travel\\"]"', {}, SFF],
  ['double-encoded list with \\n escapes', '"[\\n  \\"Space Opera\\",\\n  \\"Cyberpunk\\",\\n  \\"Time Travel\\"\\n]"', {}, SFF],
  ['double-encoded list inside an object', '{"topics": "[\\"Space Opera\\", \\"Cyberpunk\\", \\"Time Travel\\"]"}', {}, SFF],
  ['comma string inside an object', '{"topics": "Space Opera, Cyberpunk, Time Travel"}', {}, SFF],
  ['numbered list 1.', '1. Space Opera\n2. Cyberpunk\n3. Time Travel', {}, SFF],
  ['numbered list 1)', '1) Space Opera\n2) Cyberpunk\n3) Time Travel', {}, SFF],
  ['numbered list on one line', 'Topics: 1. Space Opera 2. Cyberpunk 3. Time Travel', {}, ok('Space Opera', 'Cyberpunk', 'Time Travel')],
  ['numbered list with bold names and explanations', 'Here are some:\n\n1. **Space Opera** - epic adventures across galaxies.\n2. **Cyberpunk**: hackers and megacorps rule.\n3. **Time Travel** – stories that bend causality.\n\nHappy reading!', {}, SFF],
  ['bold numbered headings with sub-bullets', '**1. Space Opera**\n   - epic adventures\n**2. Cyberpunk**\n   - neon futures\n**3. Time Travel**\n   - paradoxes', {}, SFF],
  ['markdown headings', '### 1. Space Opera\nEpic adventures.\n\n### 2. Cyberpunk\nNeon futures.\n\n### 3. Time Travel\nParadoxes.', {}, SFF],
  ['bulleted list -', '- Space Opera\n- Cyberpunk\n- Time Travel', {}, SFF],
  ['bulleted list *', '* Space Opera\n* Cyberpunk\n* Time Travel', {}, SFF],
  ['bulleted list •', '• Space Opera\n• Cyberpunk\n• Time Travel', {}, SFF],
  ['bullets with quoted items and parentheses', '- "Space Opera"\n- `Cyberpunk`\n- Time Travel (e.g. The Time Machine)', {}, SFF],
  ['first of two lists', '1. Space Opera\n2. Cyberpunk\n3. Time Travel\n\nOr, if you prefer:\n1. Westerns\n2. Romance', {}, SFF],
  ['Topics: line', 'Topics: Space Opera, Cyberpunk, Time Travel', {}, SFF],
  ['bold label line with "and"', '**Related topics:** Space Opera, Cyberpunk, and Time Travel.', {}, SFF],
  ['bare comma-separated line', 'Space Opera, Cyberpunk, Time Travel', {}, SFF],
  ['one topic per line', 'Space Opera\nCyberpunk\nTime Travel', {}, SFF],
  ['markdown table', '| Topic | Why |\n|---|---|\n| Space Opera | epic |\n| Cyberpunk | neon |\n| Time Travel | paradoxes |', {}, SFF],
  ['<think> block before the answer', '<think>\nThe user likes sci-fi. Maybe ["Westerns", "Romance", "Cooking"]? No.\n</think>\n\n["Space Opera", "Cyberpunk", "Time Travel"]', {}, SFF],
  ['only the closing </think>', 'Okay, let me think.\n- Westerns\n- Romance\n- Cooking\n</think>\n["Space Opera", "Cyberpunk", "Time Travel"]', {}, SFF],
  ['Llama 3 end-of-turn token', '["Space Opera", "Cyberpunk", "Time Travel"]<|eot_id|>', {}, SFF],
  ['ChatML tokens', '<|im_start|>assistant\n["Space Opera", "Cyberpunk", "Time Travel"]<|im_end|>', {}, SFF],
  ['Mistral tokens', '[/INST] ["Space Opera", "Cyberpunk", "Time Travel"]</s>', {}, SFF],
  ['<|assistant|> token', '<|assistant|>\n- Space Opera\n- Cyberpunk\n- Time Travel<|end|>', {}, SFF],
  ['an invented next turn after the end token', '["Space Opera", "Cyberpunk", "Time Travel"]<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nMore?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n["Westerns", "Romance", "Cooking"]', {}, SFF],
  ['nulls and non-strings', '["Space Opera", null, 42, false, "", {"a": 1}, "Cyberpunk", ["x"], "Time Travel"]', {}, SFF],
  ['case-insensitive duplicates keep the first', '["Space Opera", "space opera", "SPACE OPERA", "Cyberpunk", "cyberpunk", "Time Travel"]', {}, SFF],
  ['full-width duplicates', '["Ｃyberpunk", "Space Opera", "cyberpunk", "Time Travel"]', {}, ok('Ｃyberpunk', 'Space Opera', 'Time Travel')],
  ['over-long entries are dropped', '["Space Opera", "Books that follow a crew of misfits across a war-torn galaxy of empires", "Cyberpunk", "Time Travel"]', {}, SFF],
  ['explanations inside JSON strings', '["Space Opera: epic adventures across galaxies", "Cyberpunk - hackers against the megacorps", "Time Travel"]', {}, SFF],
  ['a colon inside a short topic stays', '["Star Wars: Expanded Universe", "Cyberpunk", "Time Travel"]', {}, ok('Star Wars: Expanded Universe', 'Cyberpunk', 'Time Travel')],
  ['non-English topics untouched', '["ciencia ficción", "推理小说", "Détective", "научная фантастика"]', {}, ok('ciencia ficción', '推理小说', 'Détective', 'научная фантастика')],
  ['more than five keeps the first five', '["a1", "a2", "a3", "a4", "a5", "a6", "a7"]', {}, ok('a1', 'a2', 'a3', 'a4', 'a5')],
  ['maxTopics option', '["Space Opera", "Cyberpunk", "Time Travel", "Solarpunk"]', { maxTopics: 3 }, SFF],
  ['minTopics option', '["Space Opera", "Cyberpunk"]', { minTopics: 2 }, ok('Space Opera', 'Cyberpunk')],
  ['maxTopicChars option', '["Space Opera", "Cyberpunk", "Time Travel", "Solarpunk"]', { maxTopicChars: 10 }, refused('only 2 valid topics (need 3): "Cyberpunk", "Solarpunk" (dropped 2 over 10 characters)', 'Cyberpunk', 'Solarpunk')],
  ['unterminated JSON keeps complete items', '["Space Opera", "Cyberpunk", "Time Travel", "Solarp', {}, SFF],
  ['unterminated object keeps complete items', '```json\n{"topics": ["Space Opera", "Cyberpunk", "Time Travel", "Sol', { truncated: true }, SFF],
  ['unterminated after a complete string', '["Space Opera", "Cyberpunk", "Time Travel"', { truncated: true }, SFF],
  ['truncated list drops the unfinished last item', '1. Space Opera\n2. Cyberpunk\n3. Time Travel\n4. Solar', { truncated: true }, SFF],
  ['truncated explanation keeps its complete name', '1. Space Opera - epic adventures in space\n2. Cyberpunk - hackers and megacorps rule\n3. Time Travel - stories that bend caus', { truncated: true }, SFF],
  ['truncated comma line', 'Topics: Space Opera, Cyberpunk, Time Travel, Solar', { truncated: true }, SFF],
  ['truncated prose after a complete list', '- Space Opera\n- Cyberpunk\n- Time Travel\n\nThese are all great because', { truncated: true }, SFF],
  // Refusals
  ['empty output', '', {}, refused('output is empty')],
  ['whitespace and tokens only', '  <|eot_id|> \n ', {}, refused('output is empty')],
  ['a refusal', "I'm sorry, but I can't help with that.", {}, refused('no list of topics found in the output')],
  ['prose with no list', 'Based on your interest, you might enjoy detective fiction, cozy mysteries and thrillers.', {}, refused('no list of topics found in the output')],
  ['two items only', '["Space Opera", "Cyberpunk"]', {}, refused('only 2 valid topics (need 3): "Space Opera", "Cyberpunk"', 'Space Opera', 'Cyberpunk')],
  ['two items after dropping duplicates', '- Space Opera\n- space opera\n- Cyberpunk', {}, refused('only 2 valid topics (need 3): "Space Opera", "Cyberpunk" (dropped 1 duplicate)', 'Space Opera', 'Cyberpunk')],
  ['only nulls', '[null, null, null]', {}, refused('the list holds no valid topics (dropped 3 null or non-string)')],
  ['an empty list', '```json\n[]\n```', {}, refused('the list holds no valid topics')],
  ['an object with no list', '{"error": "category not recognised"}', {}, refused('no list of topics found in the output')],
  ['truncated inside <think>', '<think>\nThe user likes sci-fi, so space opera and', { truncated: true }, refused('the output ended inside a <think> block, before any answer')],
  ['nothing after </think>', '<think>\n["Space Opera", "Cyberpunk", "Time Travel"]\n</think>\n', {}, refused('the output has a <think> block and no answer after it')],
  ['truncated before two complete items', '["Space Opera", "Cyberpunk", "Time', { truncated: true }, refused('only 2 valid topics (need 3): "Space Opera", "Cyberpunk"', 'Space Opera', 'Cyberpunk')],
  ['truncated list down to two', '1. Space Opera\n2. Cyberpunk\n3. Time', { truncated: true }, refused('only 2 valid topics (need 3): "Space Opera", "Cyberpunk" (dropped 1 cut off)', 'Space Opera', 'Cyberpunk')],
];

describe('parseTopics', () => {
  it.each(table)('%s', (_form, raw, options, expected) => {
    expect(parseTopics(raw, options)).toEqual(expected);
  });

  it('never throws, and caps the work on huge or hostile input', () => {
    const hostile = [
      '['.repeat(50_000),
      '{'.repeat(10_000) + '"a"',
      `${'"'.repeat(30_000)}[`,
      `[${'"x", '.repeat(100_000)}`,
      `${'1. x\n'.repeat(50_000)}`,
      `<think>${'a'.repeat(1_000_000)}`,
      "['" + "'".repeat(20_000),
      '/*'.repeat(10_000),
      '"['.repeat(10_000),
      '[' + '[]'.repeat(10_000),
      '\uD800\uDFFF\u0000'.repeat(1000),
    ];
    for (const raw of hostile) {
      const started = performance.now();
      const result = parseTopics(raw);
      expect(typeof result.ok).toBe('boolean');
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });

  it('never throws on any prefix of a messy answer', () => {
    const raw = '<think>hm</think>Sure!\n```json\n{"topics": [\'Space Opera\', "Cyber\\"punk", /* x */ None, {"topic": "Time Travel"},],}\n```\n1. **A** - b c d\n| x | y |\n|---|---|\n| z | w |';
    for (let end = 0; end <= raw.length; end++) {
      expect(() => parseTopics(raw.slice(0, end), { truncated: true })).not.toThrow();
    }
  });
});
