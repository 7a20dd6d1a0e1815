import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep, waitUntil } from './sleep.js';

describe('sleep', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves after the time', async () => {
    vi.useFakeTimers();
    let done = false;
    const slept = sleep(1_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await slept;
    expect(done).toBe(true);
  });

  it('rejects with the reason as soon as the signal aborts, or at once when it already has', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    const reason = new Error('stopping');
    controller.abort(reason);
    await expect(slept).rejects.toBe(reason);
    await expect(sleep(60_000, controller.signal)).rejects.toBe(reason);
  });
});

describe('waitUntil', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is true once the check holds', async () => {
    let calls = 0;
    await expect(waitUntil(() => ++calls === 3, { timeoutMs: 1_000, intervalMs: 1 })).resolves.toBe(true);
    expect(calls).toBe(3);
  });

  it('is false after the timeout, having checked once past it', async () => {
    vi.useFakeTimers();
    const check = vi.fn(async () => false);
    const waited = waitUntil(check, { timeoutMs: 100, intervalMs: 40 });
    await vi.advanceTimersByTimeAsync(200);
    await expect(waited).resolves.toBe(false);
    expect(check).toHaveBeenCalledTimes(4);
  });

  it('stops with the reason when the signal aborts', async () => {
    const controller = new AbortController();
    const waited = waitUntil(() => false, { timeoutMs: 60_000, intervalMs: 10, signal: controller.signal });
    controller.abort(new Error('stopping'));
    await expect(waited).rejects.toThrow('stopping');
  });
});
