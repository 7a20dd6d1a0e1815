import { waitUntil } from '@coldstart/runtime';

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
  let progress: Progress = { done: 0, total: 0 };
  let lastDone = -1;
  let lastChange = Date.now();
  const finished = () => progress.done >= progress.total;
  await waitUntil(
    async () => {
      progress = await check();
      options.onProgress?.(progress);
      if (progress.done !== lastDone) {
        lastDone = progress.done;
        lastChange = Date.now();
      }
      // A stall ends the wait as completion does: waiting longer would not change the answer.
      return finished() || Date.now() - lastChange > options.stallMs;
    },
    { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs ?? 200 },
  );
  return { ...progress, complete: finished() };
}
