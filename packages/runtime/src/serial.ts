/**
 * Runs actions one at a time, in call order, each after the previous one settled (a failure
 * does not stop the next). Chaos uses it so a process kill and a Redis restart never overlap;
 * a replica's catch-up, which any later run satisfies, uses `coalesced` instead.
 */
export function serial(): <T>(action: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(action: () => Promise<T>) => {
    const run = tail.then(action, action);
    tail = run.catch(() => undefined);
    return run;
  };
}
