/**
 * Runs actions one at a time, in call order, each after the previous one settled (a failure
 * does not stop the next). A replica's catch-up uses it so entries are applied once and in
 * order however many callers ask at once; chaos, so a process kill and a Redis restart never
 * overlap.
 */
export function serial(): <T>(action: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(action: () => Promise<T>) => {
    const run = tail.then(action, action);
    tail = run.catch(() => undefined);
    return run;
  };
}
