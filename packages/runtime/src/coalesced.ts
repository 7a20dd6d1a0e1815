/**
 * Runs `action` one run at a time, and lets callers share a run that has not started yet: a
 * call settles with the first run that starts after it. For a catch-up ("apply everything
 * logged before I asked") any run that starts after the call will do, so however many callers
 * ask while a run is going, one more run serves them all, instead of one run (and its round
 * trips to Redis) each. A failed run fails the calls that shared it; the next call starts anew.
 */
export function coalesced(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  return () =>
    (queued ??= (async () => {
      await running.catch(() => undefined);
      // From here on a new call needs a run of its own: this one may have read past its entries.
      queued = undefined;
      running = action();
      return running;
    })());
}
