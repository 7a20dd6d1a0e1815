/**
 * Waits `ms`. An abort ends the wait at once and rejects with `signal.reason`, as Node's own
 * abortable APIs do, so a retry loop stops where it sleeps; a loop that only wants to wake up
 * early (a poller that checks its own stop flag next) catches: `await sleep(ms, signal).catch(() => {})`.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface WaitUntilOptions {
  /** Give up once this much time has passed since the first check. */
  timeoutMs: number;
  /** Pause between checks. */
  intervalMs: number;
  /** Aborting stops the wait; it rejects with the signal's reason, as `sleep` does. */
  signal?: AbortSignal;
}

/**
 * Polls `check` until it returns true (→ true) or `timeoutMs` has passed (→ false); the caller
 * says what did not happen. `check` runs at least once, and once more after the last pause, so a
 * condition that became true just before the deadline is still seen.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, options: WaitUntilOptions): Promise<boolean> {
  const started = Date.now();
  for (;;) {
    if (await check()) return true;
    if (Date.now() - started > options.timeoutMs) return false;
    await sleep(options.intervalMs, options.signal);
  }
}
