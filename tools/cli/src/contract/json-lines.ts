import { createInterface } from 'node:readline';

export type LineResult = { ok: true } & Record<string, unknown> | { ok: false; error: string };

/** "null", "an array", "an object", "a string", …: what a JSON value was, for error messages. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
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

export interface JsonLinesOptions<R extends LineResult> {
  /** How a line is named in errors, e.g. `input line 3`. */
  where: (lineNumber: number) => string;
  /** What a line must look like, for the error on a non-object, e.g. `{"body": "..."}`. */
  example: string;
  /** The result for one line's JSON object; `where` is already in `where(lineNumber)` form. */
  handle: (fields: Record<string, unknown>, where: string) => R;
}

/**
 * The JSON-lines filters of the CLI: reads lines of JSON objects from `input` and writes one
 * JSON result line per non-empty input line, in order. A line that is not JSON or not an
 * object gets `{"ok": false, "error"}`; bad input is reported, never thrown; only stream
 * failures reject. Returns the results written.
 */
export async function mapJsonLines<R extends LineResult>(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, options: JsonLinesOptions<R>): Promise<(R | { ok: false; error: string })[]> {
  // readline has no line-length cap, so multi-megabyte lines are buffered whole; each
  // command's own parser bounds what it does with them.
  const reader = createInterface({ input, crlfDelay: Infinity });
  const results: (R | { ok: false; error: string })[] = [];
  let lineNumber = 0;
  try {
    for await (const rawLine of reader) {
      lineNumber++;
      // A BOM at the start of the input file belongs to the file, not to the first line
      // (editors on Windows add one); a BOM inside a value is still reported.
      const line = lineNumber === 1 && rawLine.charCodeAt(0) === 0xfeff ? rawLine.slice(1) : rawLine;
      if (line.trim() === '') continue;
      const result = handleLine(line, options.where(lineNumber), options);
      results.push(result);
      if (!output.write(`${JSON.stringify(result)}\n`)) await drained(output);
    }
  } finally {
    reader.close();
  }
  return results;
}

function handleLine<R extends LineResult>(line: string, where: string, options: JsonLinesOptions<R>): R | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    const reason = err instanceof Error ? String(err.message) : 'unknown error';
    const clipped = reason.length > 200 ? `${reason.slice(0, 200)}…` : reason;
    return { ok: false, error: `${where}: not valid JSON: ${clipped.toWellFormed()}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `${where}: must be a JSON object like ${options.example} (got ${describeJson(value)})` };
  }
  return options.handle(value as Record<string, unknown>, where);
}
