export interface Progress {
  done: number;
  total: number;
}

/**
 * Polls `check` until everything is done, or nothing has progressed for `stallMs`, or
 * `timeoutMs` passed. Returns the last progress; the caller names what is missing.
 */
export async function waitUntilDone(
  check: () => Promise<Progress>,
  options: { timeoutMs: number; stallMs: number; intervalMs?: number; onProgress?: (progress: Progress) => void },
): Promise<Progress & { complete: boolean }> {
  const started = Date.now();
  let lastDone = -1;
  let lastChange = started;
  for (;;) {
    const progress = await check();
    options.onProgress?.(progress);
    if (progress.done >= progress.total) return { ...progress, complete: true };
    if (progress.done !== lastDone) {
      lastDone = progress.done;
      lastChange = Date.now();
    }
    const now = Date.now();
    if (now - started > options.timeoutMs || now - lastChange > options.stallMs) return { ...progress, complete: false };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
