import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { itemDeletedExample, itemUpsertedExample, userInteractionExample, userSignupExample } from '@coldstart/events';
import { runEventsValidate } from './events-validate.js';
import { runTopicsParse } from './topics-parse.js';

type LinesCommand<S> = (input: NodeJS.ReadableStream, output: NodeJS.WritableStream) => Promise<S>;

const eventLine = (body: unknown): string => JSON.stringify({ body });
const topicsLine = (text: unknown, finishReason?: unknown): string =>
  JSON.stringify(finishReason === undefined ? { text } : { text, finishReason });

/** Collects everything written to `stream` and splits it into lines. */
function collect(stream: PassThrough): () => string[] {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
  });
  return () => text.split('\n').filter((l) => l !== '');
}

/** Runs `command` on the input, whole or in the given chunks: its summary and the lines it wrote, raw and parsed. */
async function run<S>(command: LinesCommand<S>, inputText: string | Buffer[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  const lines = collect(output);
  const done = command(input, output);
  for (const chunk of typeof inputText === 'string' ? [inputText] : inputText) input.write(chunk);
  input.end();
  const summary = await done;
  return { summary, raw: lines(), results: lines().map((l) => JSON.parse(l) as { ok: boolean; type?: string; error?: string }) };
}

/** The UTF-8 bytes of `text` in chunks of `size`, so that characters are split across chunks. */
function chunked(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

describe('runEventsValidate', () => {
  it('writes one result per non-empty input line, in order', async () => {
    const megabyteBody = JSON.stringify({ ...itemUpsertedExample, padding: 'p'.repeat(1024 * 1024) });
    const input = [
      eventLine(JSON.stringify(userSignupExample)),
      '',
      'this is not json',
      eventLine(JSON.stringify({ ...userInteractionExample, rating: 6 })),
      '[1,2,3]',
      '{"note":"no body here"}',
      '{"body":42}',
      eventLine(megabyteBody),
      '   ',
      eventLine(JSON.stringify(itemUpsertedExample)),
      eventLine('\ufeff{}'),
      eventLine('['.repeat(1000) + ']'.repeat(1000)),
      JSON.stringify({ body: JSON.stringify(itemDeletedExample), expect: 'item.deleted', note: 'extra fields ok' }),
    ].join('\r\n');

    const { summary, results } = await run(runEventsValidate, `${input}\r\n`);

    expect(results).toEqual([
      { ok: true, type: 'user.signup' },
      { ok: false, error: expect.stringMatching(/^input line 3: not valid JSON: /) },
      { ok: false, error: 'rating: must be an integer 1–5' },
      { ok: false, error: expect.stringMatching(/^input line 5: must be a JSON object .*\(got an array\)$/) },
      { ok: false, error: 'input line 6: missing "body"' },
      { ok: false, error: expect.stringMatching(/^input line 7: "body" must be a string.*\(got a number\)$/) },
      { ok: false, error: expect.stringContaining('larger than the 262144-byte (256 KiB) limit') },
      { ok: true, type: 'item.upserted' },
      { ok: false, error: expect.stringContaining('byte order mark') },
      { ok: false, error: 'body has nesting deeper than 64 levels' },
      { ok: true, type: 'item.deleted' },
    ]);
    expect(summary).toEqual({ lines: 11, valid: 3, invalid: 8 });
  });

  it('handles a line of several megabytes', async () => {
    const hugeWrapper = JSON.stringify({ body: JSON.stringify(itemDeletedExample), padding: 'x'.repeat(5 * 1024 * 1024) });
    const { summary, results } = await run(runEventsValidate, `${hugeWrapper}\n${eventLine('{}')}\n`);
    expect(results).toHaveLength(2);
    expect(results[0]).toEqual({ ok: true, type: 'item.deleted' });
    expect(results[1]?.ok).toBe(false);
    expect(summary).toEqual({ lines: 2, valid: 1, invalid: 1 });
  });

  it('decodes UTF-8 split across chunks and tolerates a file BOM and a missing final newline', async () => {
    const text = `\ufeff${eventLine(JSON.stringify({ ...itemUpsertedExample, title: 'Les Misérables — 悲惨世界 📖' }))}\n${eventLine(JSON.stringify(itemDeletedExample))}`;
    const { summary, results } = await run(runEventsValidate, chunked(text, 7));
    expect(results).toEqual([
      { ok: true, type: 'item.upserted' },
      { ok: true, type: 'item.deleted' },
    ]);
    expect(summary).toEqual({ lines: 2, valid: 2, invalid: 0 });
  });
});

describe('runTopicsParse', () => {
  it('writes one result per non-empty input line, in order, and reports bad lines by number', async () => {
    const input = [
      topicsLine('```json\n["Space Opera", "Cyberpunk", "Time Travel"]\n```'),
      '',
      'not json',
      topicsLine("I'm sorry, I can't help with that."),
      '[1, 2]',
      '{"finishReason": "stop"}',
      '{"text": 42}',
      '   ',
      topicsLine('1. Space Opera\n2. Cyberpunk\n3. Time Travel\n4. First Con', 'length'),
      topicsLine('1. Space Opera\n2. Cyberpunk\n3. Time Travel\n4. First Con', 'stop'),
      topicsLine('["a", "b", "c"]', 7),
      JSON.stringify({ text: '["ciencia ficción", "推理小说", "noir"]', note: 'extra fields are ignored' }),
      topicsLine('["Space Opera", "Cyberpunk"]'),
    ].join('\r\n');

    const { summary, results, raw } = await run(runTopicsParse, `${input}\r\n`);

    expect(results).toEqual([
      { ok: true, topics: ['Space Opera', 'Cyberpunk', 'Time Travel'] },
      { ok: false, error: expect.stringMatching(/^line 3: not valid JSON: /) },
      { ok: false, error: 'no list of topics found in the output' },
      { ok: false, error: 'line 5: must be a JSON object like {"text": "..."} (got an array)' },
      { ok: false, error: 'line 6: missing "text"' },
      { ok: false, error: 'line 7: "text" must be a string holding the raw model output (got a number)' },
      { ok: true, topics: ['Space Opera', 'Cyberpunk', 'Time Travel'] },
      { ok: true, topics: ['Space Opera', 'Cyberpunk', 'Time Travel', 'First Con'] },
      { ok: false, error: 'line 11: "finishReason" must be a string such as "stop" or "length" (got a number)' },
      { ok: true, topics: ['ciencia ficción', '推理小说', 'noir'] },
      { ok: false, error: 'only 2 valid topics (need 3): "Space Opera", "Cyberpunk"' },
    ]);
    // Exactly these keys, in this order, and nothing else on the line.
    expect(raw[0]).toBe('{"ok":true,"topics":["Space Opera","Cyberpunk","Time Travel"]}');
    expect(raw[10]).toBe('{"ok":false,"error":"only 2 valid topics (need 3): \\"Space Opera\\", \\"Cyberpunk\\""}');
    expect(summary).toEqual({ lines: 11, ok: 4 });
  });

  it('handles a line of several megabytes without crashing', async () => {
    const huge = topicsLine(`["Space Opera", "Cyberpunk", "Time Travel"]${' and so on'.repeat(500_000)}`);
    const { summary, results } = await run(runTopicsParse, `${huge}\n${topicsLine('')}\n`);
    expect(results).toEqual([
      { ok: true, topics: ['Space Opera', 'Cyberpunk', 'Time Travel'] },
      { ok: false, error: 'output is empty' },
    ]);
    expect(summary).toEqual({ lines: 2, ok: 1 });
  });

  it('decodes UTF-8 split across chunks and tolerates a file BOM and a missing final newline', async () => {
    const text = `\ufeff${topicsLine('["ópera espacial", "ciberpunk", "viajes en el tiempo"]')}\n${topicsLine('- 推理小说\n- 侦探小说\n- 悬疑小说')}`;
    const { summary, results } = await run(runTopicsParse, chunked(text, 5));
    expect(results).toEqual([
      { ok: true, topics: ['ópera espacial', 'ciberpunk', 'viajes en el tiempo'] },
      { ok: true, topics: ['推理小说', '侦探小说', '悬疑小说'] },
    ]);
    expect(summary).toEqual({ lines: 2, ok: 2 });
  });
});

const STREAMING: { name: string; command: LinesCommand<unknown>; line: string; summary: (count: number) => unknown }[] = [
  { name: 'runEventsValidate', command: runEventsValidate, line: eventLine(JSON.stringify(itemDeletedExample)), summary: (n) => ({ lines: n, valid: n, invalid: 0 }) },
  { name: 'runTopicsParse', command: runTopicsParse, line: topicsLine('["a", "b", "c"]'), summary: (n) => ({ lines: n, ok: n }) },
];

describe.each(STREAMING)('$name on a slow or closed output', ({ command, line, summary }) => {
  it('waits for a slow consumer instead of buffering every result', async () => {
    const input = new PassThrough();
    const output = new PassThrough({ highWaterMark: 256 });
    const count = 2000;
    input.end(`${Array.from({ length: count }, () => line).join('\n')}\n`);

    let finished = false;
    const done = command(input, output).then((result) => {
      finished = true;
      return result;
    });
    // The writer is parked on 'drain', which only a reader brings: until then nothing more happens.
    await vi.waitFor(() => expect(output.listenerCount('drain')).toBeGreaterThan(0));
    expect(finished).toBe(false);
    // Without backpressure all 2000 results (~70 KB) would sit in the output buffer.
    expect(output.writableLength).toBeLessThan(1024);

    const lines = collect(output);
    expect(await done).toEqual(summary(count));
    expect(lines()).toHaveLength(count);
  });

  it('rejects rather than hangs when the output is destroyed', async () => {
    const input = new PassThrough();
    const output = new PassThrough({ highWaterMark: 64 });
    output.on('error', () => {});
    input.end(`${Array.from({ length: 100 }, () => line).join('\n')}\n`);
    const done = command(input, output);
    // Destroyed while the writer waits for 'drain', which a destroyed stream never emits.
    await vi.waitFor(() => expect(output.listenerCount('drain')).toBeGreaterThan(0));
    output.destroy();
    await expect(done).rejects.toThrow();
  });
});
