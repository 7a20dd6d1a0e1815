import { describe, expect, it } from 'vitest';
import { coalesced } from './coalesced.js';

/** An action whose runs finish when the test says, counting how many started. */
function controlledAction() {
  const finishers: (() => void)[] = [];
  const failers: ((error: Error) => void)[] = [];
  let started = 0;
  const action = () =>
    new Promise<void>((resolve, reject) => {
      started += 1;
      finishers.push(resolve);
      failers.push(reject);
    });
  return { action, started: () => started, finish: (run: number) => finishers[run]!(), fail: (run: number, error: Error) => failers[run]!(error) };
}

const settled = async () => {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
};

describe('coalesced', () => {
  it('serves every call made while a run is going with one more run, started after them', async () => {
    const runs = controlledAction();
    const catchUp = coalesced(runs.action);
    const first = catchUp();
    await settled();
    expect(runs.started()).toBe(1);
    const waiting = [catchUp(), catchUp(), catchUp()];
    let done = 0;
    for (const call of waiting) void call.then(() => (done += 1));
    await settled();
    // The three wait for a run that starts after the running one: none may share it.
    expect(runs.started()).toBe(1);
    runs.finish(0);
    await first;
    await settled();
    expect(runs.started()).toBe(2);
    expect(done).toBe(0);
    runs.finish(1);
    await Promise.all(waiting);
    expect(runs.started()).toBe(2);
  });

  it('starts a run of its own for a call made after the shared run started', async () => {
    const runs = controlledAction();
    const catchUp = coalesced(runs.action);
    const first = catchUp();
    await settled();
    const second = catchUp();
    runs.finish(0);
    await first;
    await settled();
    expect(runs.started()).toBe(2);
    const third = catchUp();
    await settled();
    expect(runs.started()).toBe(2);
    runs.finish(1);
    await second;
    await settled();
    expect(runs.started()).toBe(3);
    runs.finish(2);
    await third;
  });

  it('fails the calls that shared a failed run, and the next call runs again', async () => {
    const runs = controlledAction();
    const catchUp = coalesced(runs.action);
    const a = catchUp();
    const b = catchUp();
    await settled();
    runs.fail(0, new Error('Redis is away'));
    await expect(a).rejects.toThrow('Redis is away');
    await expect(b).rejects.toThrow('Redis is away');
    const c = catchUp();
    await settled();
    expect(runs.started()).toBe(2);
    runs.finish(1);
    await expect(c).resolves.toBeUndefined();
  });
});
