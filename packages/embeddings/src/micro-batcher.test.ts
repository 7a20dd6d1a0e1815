import { describe, expect, it, vi } from 'vitest';
import type { Encoder } from './encoder.js';
import { EmptyTextError } from './encoder.js';
import { withMicroBatching } from './micro-batcher.js';

/** An encoder whose vector for a text is [length], recording the batches it was given. */
function recordingEncoder(delayMs = 5) {
  const batches: string[][] = [];
  const encoder: Encoder = {
    id: 'recording',
    dimension: 1,
    encode: async (texts) => {
      batches.push([...texts]);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (texts.includes('')) throw new EmptyTextError('');
      return texts.map((t) => new Float32Array([t.length]));
    },
  };
  return { encoder, batches };
}

describe('withMicroBatching', () => {
  it('gathers concurrent calls into one run and gives each caller its own vectors', async () => {
    const { encoder, batches } = recordingEncoder();
    const batched = withMicroBatching(encoder, { maxBatch: 32, maxWaitMs: 5 });
    const results = await Promise.all(['a', 'bb', 'ccc'].map((t) => batched.encode([t])));
    expect(results.map((r) => r[0]?.[0])).toEqual([1, 2, 3]);
    expect(batches).toEqual([['a', 'bb', 'ccc']]);
  });

  it('never runs more than maxBatch texts at once, and queues the rest for the next run', async () => {
    const { encoder, batches } = recordingEncoder();
    const sizes: number[] = [];
    const batched = withMicroBatching(encoder, { maxBatch: 4, maxWaitMs: 50, onBatch: (n) => sizes.push(n) });
    const texts = Array.from({ length: 10 }, (_, i) => 'x'.repeat(i + 1));
    const results = await Promise.all(texts.map((t) => batched.encode([t])));
    expect(results.map((r) => r[0]?.[0])).toEqual(texts.map((t) => t.length));
    expect(sizes).toEqual([4, 4, 2]);
    expect(batches.flat()).toEqual(texts);
  });

  it('fails only the request whose text fails, not the rest of its batch', async () => {
    const { encoder } = recordingEncoder();
    const batched = withMicroBatching(encoder, { maxBatch: 32, maxWaitMs: 5 });
    const outcomes = await Promise.allSettled(['ok', '', 'fine'].map((t) => batched.encode([t])));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(EmptyTextError);
  });

  it('drops a request aborted while it waited, before running it', async () => {
    const { encoder, batches } = recordingEncoder();
    const batched = withMicroBatching(encoder, { maxBatch: 32, maxWaitMs: 20 });
    const controller = new AbortController();
    const aborted = batched.encode(['gone'], controller.signal);
    const kept = batched.encode(['kept']);
    controller.abort(new Error('job timed out'));
    await expect(aborted).rejects.toThrow('job timed out');
    expect((await kept)[0]?.[0]).toBe(4);
    expect(batches).toEqual([['kept']]);
  });

  it('waits at most maxWaitMs when idle', async () => {
    vi.useFakeTimers();
    try {
      const { encoder, batches } = recordingEncoder(0);
      const batched = withMicroBatching(encoder, { maxBatch: 32, maxWaitMs: 10 });
      const result = batched.encode(['solo']);
      await vi.advanceTimersByTimeAsync(9);
      expect(batches).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(batches).toEqual([['solo']]);
      await vi.advanceTimersByTimeAsync(1); // the fake encoder's own run
      expect((await result)[0]?.[0]).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
