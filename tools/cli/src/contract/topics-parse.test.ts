import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { runTopicsParse } from './topics-parse.js';

const line = (text: unknown, finishReason?: unknown): string =>
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

async function run(inputText: string | Buffer[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  const lines = collect(output);
  const done = runTopicsParse(input, output);
  for (const chunk of typeof inputText === 'string' ? [inputText] : inputText) input.write(chunk);
  input.end();
  const summary = await done;
  return { summary, raw: lines(), results: lines().map((l) => JSON.parse(l) as unknown) };
}

describe('runTopicsParse', () => {
  it('writes one result per non-empty input line, in order, and reports bad lines by number', async () => {
    const input = [
      line('```json\n["Space Opera", "Cyberpunk", "Time Travel"]\n```'),
      '',
      'not json',
      line("I'm sorry, I can't help with that."),
      '[1, 2]',
      '{"finishReason": "stop"}',
      '{"text": 42}',
      '   ',
      line('1. Space Opera\n2. Cyberpunk\n3. Time Travel\n4. First Con', 'length'),
      line('1. Space Opera\n2. Cyberpunk\n3. Time Travel\n4. First Con', 'stop'),
      line('["a", "b", "c"]', 7),
      JSON.stringify({ text: '["ciencia ficción", "推理小说", "noir"]', note: 'extra fields are ignored' }),
      line('["Space Opera", "Cyberpunk"]'),
    ].join('\r\n');

    const { summary, results, raw } = await run(`${input}\r\n`);

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
    const huge = line(`["Space Opera", "Cyberpunk", "Time Travel"]${' and so on'.repeat(500_000)}`);
    const { summary, results } = await run(`${huge}\n${line('')}\n`);
    expect(results).toEqual([
      { ok: true, topics: ['Space Opera', 'Cyberpunk', 'Time Travel'] },
      { ok: false, error: 'output is empty' },
    ]);
    expect(summary).toEqual({ lines: 2, ok: 1 });
  });

  it('decodes UTF-8 split across chunks and tolerates a file BOM and a missing final newline', async () => {
    const text = `\ufeff${line('["ópera espacial", "ciberpunk", "viajes en el tiempo"]')}\n${line('- 推理小说\n- 侦探小说\n- 悬疑小说')}`;
    const bytes = Buffer.from(text, 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 5) chunks.push(bytes.subarray(i, i + 5));
    const { summary, results } = await run(chunks);
    expect(results).toEqual([
      { ok: true, topics: ['ópera espacial', 'ciberpunk', 'viajes en el tiempo'] },
      { ok: true, topics: ['推理小说', '侦探小说', '悬疑小说'] },
    ]);
    expect(summary).toEqual({ lines: 2, ok: 2 });
  });

  it('waits for a slow consumer instead of buffering every result', async () => {
    const input = new PassThrough();
    const output = new PassThrough({ highWaterMark: 256 });
    const count = 2000;
    input.end(`${Array.from({ length: count }, () => line('["a", "b", "c"]')).join('\n')}\n`);

    let finished = false;
    const done = runTopicsParse(input, output).then((summary) => {
      finished = true;
      return summary;
    });
    // The writer is parked on 'drain', which only a reader brings: until then nothing more happens.
    await vi.waitFor(() => expect(output.listenerCount('drain')).toBeGreaterThan(0));
    expect(finished).toBe(false);
    expect(output.writableLength).toBeLessThan(1024);

    const lines = collect(output);
    expect(await done).toEqual({ lines: count, ok: count });
    expect(lines()).toHaveLength(count);
  });

  it('rejects rather than hangs when the output is destroyed', async () => {
    const input = new PassThrough();
    const output = new PassThrough({ highWaterMark: 64 });
    output.on('error', () => {});
    input.end(`${Array.from({ length: 100 }, () => line('["a", "b", "c"]')).join('\n')}\n`);
    const done = runTopicsParse(input, output);
    // Destroyed while the writer waits for 'drain', which a destroyed stream never emits.
    await vi.waitFor(() => expect(output.listenerCount('drain')).toBeGreaterThan(0));
    output.destroy();
    await expect(done).rejects.toThrow();
  });
});
