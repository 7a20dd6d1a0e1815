import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { itemDeletedExample, itemUpsertedExample, userInteractionExample, userSignupExample } from '@coldstart/events';
import { runEventsValidate } from './events-validate.js';

const line = (body: unknown): string => JSON.stringify({ body });

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
  const done = runEventsValidate(input, output);
  for (const chunk of typeof inputText === 'string' ? [inputText] : inputText) input.write(chunk);
  input.end();
  const summary = await done;
  return { summary, results: lines().map((l) => JSON.parse(l) as { ok: boolean; type?: string; error?: string }) };
}

describe('runEventsValidate', () => {
  it('writes one result per non-empty input line, in order', async () => {
    const megabyteBody = JSON.stringify({ ...itemUpsertedExample, padding: 'p'.repeat(1024 * 1024) });
    const input = [
      line(JSON.stringify(userSignupExample)),
      '',
      'this is not json',
      line(JSON.stringify({ ...userInteractionExample, rating: 6 })),
      '[1,2,3]',
      '{"note":"no body here"}',
      '{"body":42}',
      line(megabyteBody),
      '   ',
      line(JSON.stringify(itemUpsertedExample)),
      line('\ufeff{}'),
      line('['.repeat(1000) + ']'.repeat(1000)),
      JSON.stringify({ body: JSON.stringify(itemDeletedExample), expect: 'item.deleted', note: 'extra fields ok' }),
    ].join('\r\n');

    const { summary, results } = await run(`${input}\r\n`);

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
    const { summary, results } = await run(`${hugeWrapper}\n${line('{}')}\n`);
    expect(results).toHaveLength(2);
    expect(results[0]).toEqual({ ok: true, type: 'item.deleted' });
    expect(results[1]?.ok).toBe(false);
    expect(summary).toEqual({ lines: 2, valid: 1, invalid: 1 });
  });

  it('decodes UTF-8 split across chunks and tolerates a file BOM and a missing final newline', async () => {
    const text = `\ufeff${line(JSON.stringify({ ...itemUpsertedExample, title: 'Les Misérables — 悲惨世界 📖' }))}\n${line(JSON.stringify(itemDeletedExample))}`;
    const bytes = Buffer.from(text, 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    const { summary, results } = await run(chunks);
    expect(results).toEqual([
      { ok: true, type: 'item.upserted' },
      { ok: true, type: 'item.deleted' },
    ]);
    expect(summary).toEqual({ lines: 2, valid: 2, invalid: 0 });
  });

  it('waits for a slow consumer instead of buffering every result', async () => {
    const input = new PassThrough();
    const output = new PassThrough({ highWaterMark: 256 });
    const count = 2000;
    input.end(`${Array.from({ length: count }, () => line(JSON.stringify(itemDeletedExample))).join('\n')}\n`);

    let finished = false;
    const done = runEventsValidate(input, output).then((summary) => {
      finished = true;
      return summary;
    });
    // The writer is parked on 'drain', which only a reader brings: until then nothing more happens.
    await vi.waitFor(() => expect(output.listenerCount('drain')).toBeGreaterThan(0));
    expect(finished).toBe(false);
    // Without backpressure all 2000 results (~70 KB) would sit in the output buffer.
    expect(output.writableLength).toBeLessThan(1024);

    const lines = collect(output);
    expect(await done).toEqual({ lines: count, valid: count, invalid: 0 });
    expect(lines()).toHaveLength(count);
  });

  it('rejects rather than hangs when the output is destroyed', async () => {
    const input = new PassThrough();
    const output = new PassThrough({ highWaterMark: 64 });
    output.on('error', () => {});
    input.end(`${Array.from({ length: 100 }, () => line(JSON.stringify(itemDeletedExample))).join('\n')}\n`);
    const done = runEventsValidate(input, output);
    // Destroyed while the writer waits for 'drain', which a destroyed stream never emits.
    await vi.waitFor(() => expect(output.listenerCount('drain')).toBeGreaterThan(0));
    output.destroy();
    await expect(done).rejects.toThrow();
  });
});
