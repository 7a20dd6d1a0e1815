import { parseEventBody } from '@coldstart/events';
import { describeJson, mapJsonLines } from './json-lines.js';

export interface EventsValidateSummary {
  /** Non-empty input lines, i.e. output lines written. */
  lines: number;
  valid: number;
  invalid: number;
}

type EventResult = { ok: true; type: string } | { ok: false; error: string };

function validate(fields: Record<string, unknown>, where: string): EventResult {
  const body = Object.hasOwn(fields, 'body') ? fields['body'] : undefined;
  if (body === undefined) return { ok: false, error: `${where}: missing "body"` };
  if (typeof body !== 'string') {
    return { ok: false, error: `${where}: "body" must be a string holding the raw message body (got ${describeJson(body)})` };
  }
  // The parser rejects any body over 256 KiB by size before touching it.
  const result = parseEventBody(body);
  return result.ok ? { ok: true, type: result.event.type } : { ok: false, error: result.error };
}

/**
 * Reads JSON lines `{"body": "<raw SQS message body>"}` and writes one JSON result line
 * per non-empty input line, in order: `{"ok":true,"type":...}` or `{"ok":false,"error":...}`.
 */
export async function runEventsValidate(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<EventsValidateSummary> {
  const results = await mapJsonLines(input, output, { where: (n) => `input line ${n}`, example: '{"body": "..."}', handle: validate });
  const valid = results.filter((r) => r.ok).length;
  return { lines: results.length, valid, invalid: results.length - valid };
}
