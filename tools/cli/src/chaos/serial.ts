/**
 * Runs actions one at a time, in call order: a process kill and a Redis restart must not
 * overlap, or stackUp, restarting the killed app, would find Redis down and start it halfway
 * through the restart's own start.
 */
export function serial(): <T>(action: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(action: () => Promise<T>) => {
    const run = tail.then(action, action);
    tail = run.catch(() => undefined);
    return run;
  };
}
