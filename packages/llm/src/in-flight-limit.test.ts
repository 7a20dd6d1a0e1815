import { describe, expect, it } from 'vitest';
import { InFlightLimit } from './in-flight-limit.js';

/** A request that ends when told to. */
function pending() {
  let finish: (value: string) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const promise = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { promise, finish, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('InFlightLimit', () => {
  it('runs at most `limit` at once and starts the waiting ones in the order they came', async () => {
    const limit = new InFlightLimit(2);
    const requests = [pending(), pending(), pending(), pending()];
    const started: number[] = [];
    const runs = requests.map((request, i) =>
      limit.run(() => {
        started.push(i);
        return request.promise;
      }),
    );
    // Watched from the start: the failing one must not go unhandled while the others run.
    const outcomes = Promise.allSettled(runs);
    await tick();
    expect(started).toEqual([0, 1]);
    expect([limit.active, limit.waiting]).toEqual([2, 2]);
    requests[1]?.finish('b');
    await tick();
    expect(started).toEqual([0, 1, 2]);
    // A failed request frees its turn too.
    requests[0]?.fail(new Error('server error'));
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    requests[2]?.finish('c');
    requests[3]?.finish('d');
    const settled = await outcomes;
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect([limit.active, limit.waiting]).toEqual([0, 0]);
  });

  it('gives up a wait when its signal aborts, without taking a turn', async () => {
    const limit = new InFlightLimit(1);
    const first = pending();
    const running = limit.run(() => first.promise);
    const aborter = new AbortController();
    let ran = false;
    const waiting = limit.run(async () => {
      ran = true;
      return 'late';
    }, aborter.signal);
    await tick();
    aborter.abort(new Error('job timed out'));
    await expect(waiting).rejects.toThrow('job timed out');
    expect(limit.waiting).toBe(0);
    first.finish('a');
    await expect(running).resolves.toBe('a');
    expect(ran).toBe(false);
    expect(limit.active).toBe(0);
    // Already aborted: refused at once.
    await expect(limit.run(async () => 'x', aborter.signal)).rejects.toThrow('job timed out');
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new InFlightLimit(0)).toThrow(RangeError);
    expect(() => new InFlightLimit(1.5)).toThrow(RangeError);
  });
});
