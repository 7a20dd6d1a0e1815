import { createInterface } from 'node:readline';
import { parseEventBody } from '@coldstart/events';

export interface EventsValidateSummary {
  /** Non-empty input lines, i.e. output lines written. */
  lines: number;
  valid: number;
  invalid: number;
}

type LineResult = { ok: true; type: string } | { ok: false; error: string };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function validateLine(line: string, lineNumber: number): LineResult {
  const where = `input line ${lineNumber}`;
  let wrapper: unknown;
  try {
    wrapper = JSON.parse(line);
  } catch (err) {
    const reason = err instanceof Error ? String(err.message) : 'unknown error';
    const clipped = reason.length > 200 ? `${reason.slice(0, 200)}…` : reason;
    return { ok: false, error: `${where}: not valid JSON: ${clipped.toWellFormed()}` };
  }
  if (typeof wrapper !== 'object' || wrapper === null || Array.isArray(wrapper)) {
    return { ok: false, error: `${where}: must be a JSON object like {"body": "..."} (got ${describe(wrapper)})` };
  }
  const body = Object.hasOwn(wrapper, 'body') ? (wrapper as Record<string, unknown>)['body'] : undefined;
  if (body === undefined) return { ok: false, error: `${where}: missing "body"` };
  if (typeof body !== 'string') {
    return { ok: false, error: `${where}: "body" must be a string holding the raw message body (got ${describe(body)})` };
  }
  const result = parseEventBody(body);
  return result.ok ? { ok: true, type: result.event.type } : { ok: false, error: result.error };
}

// Resolves once `output` can take more; rejects if it errors or closes first, so a dead
// consumer (e.g. `| head`) ends the run instead of leaving it waiting forever.
function drained(output: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    // A destroyed stream has already emitted 'close' and will never emit 'drain'.
    const state = output as { destroyed?: boolean; writableFinished?: boolean };
    if (state.destroyed === true || state.writableFinished === true) {
      reject(new Error('output closed before all results were written'));
      return;
    }
    const cleanup = () => {
      output.off('drain', onDrain);
      output.off('error', onError);
      output.off('close', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onError = (err: unknown) => {
      cleanup();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onClose = () => {
      cleanup();
      reject(new Error('output closed before all results were written'));
    };
    output.on('drain', onDrain);
    output.on('error', onError);
    output.on('close', onClose);
  });
}

/**
 * Reads JSON lines `{"body": "<raw SQS message body>"}` and writes one JSON result line
 * per non-empty input line, in order: `{"ok":true,"type":...}` or `{"ok":false,"error":...}`.
 * Bad input lines are reported, never thrown; only stream failures reject.
 */
export async function runEventsValidate(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<EventsValidateSummary> {
  // readline has no line-length cap, so multi-megabyte lines are buffered whole; the
  // parser then rejects any body over 256 KiB by size before touching it.
  const reader = createInterface({ input, crlfDelay: Infinity });
  const summary: EventsValidateSummary = { lines: 0, valid: 0, invalid: 0 };
  let lineNumber = 0;
  try {
    for await (const rawLine of reader) {
      lineNumber++;
      // A BOM at the start of the input file belongs to the file, not to the first body
      // (editors on Windows add one); a BOM inside a body is still reported.
      const line = lineNumber === 1 && rawLine.charCodeAt(0) === 0xfeff ? rawLine.slice(1) : rawLine;
      if (line.trim() === '') continue;
      const result = validateLine(line, lineNumber);
      summary.lines++;
      if (result.ok) summary.valid++;
      else summary.invalid++;
      if (!output.write(`${JSON.stringify(result)}\n`)) await drained(output);
    }
  } finally {
    reader.close();
  }
  return summary;
}
