import { parseTopics } from '@coldstart/llm';
import { describeJson, mapJsonLines } from './json-lines.js';

export interface TopicsParseSummary {
  /** Non-empty input lines, i.e. output lines written. */
  lines: number;
  ok: number;
}

type TopicsResult = { ok: true; topics: string[] } | { ok: false; error: string };

function parse(fields: Record<string, unknown>, where: string): TopicsResult {
  const text = Object.hasOwn(fields, 'text') ? fields['text'] : undefined;
  if (text === undefined) return { ok: false, error: `${where}: missing "text"` };
  if (typeof text !== 'string') {
    return { ok: false, error: `${where}: "text" must be a string holding the raw model output (got ${describeJson(text)})` };
  }
  const finishReason = Object.hasOwn(fields, 'finishReason') ? fields['finishReason'] : undefined;
  if (finishReason !== undefined && typeof finishReason !== 'string') {
    return { ok: false, error: `${where}: "finishReason" must be a string such as "stop" or "length" (got ${describeJson(finishReason)})` };
  }
  // The parser looks at the first 20 000 characters of a text, so a huge line costs its
  // buffering and JSON.parse, not the parsing strategies.
  const result = parseTopics(text, { truncated: finishReason === 'length' });
  // The partial topics of a refusal are for the expander's repair prompt, not this report.
  return result.ok ? { ok: true, topics: result.topics } : { ok: false, error: result.error };
}

/**
 * Reads JSON lines `{"text": "<raw model output>", "finishReason"?: "stop" | "length"}` and
 * writes one JSON result line per non-empty input line, in order: `{"ok":true,"topics":[...]}`
 * or `{"ok":false,"error":...}`.
 */
export async function runTopicsParse(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<TopicsParseSummary> {
  const results = await mapJsonLines(input, output, { where: (n) => `line ${n}`, example: '{"text": "..."}', handle: parse });
  return { lines: results.length, ok: results.filter((r) => r.ok).length };
}
