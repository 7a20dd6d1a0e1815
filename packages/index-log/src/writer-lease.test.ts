import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@coldstart/runtime';
import { acquireWriterLease } from './writer-lease.js';

const logger = createLogger({ app: 'test', level: 'silent' });

/** A log whose lease the test hands out and takes away. */
function fakeCatalog() {
  const state: { holder: string | undefined; token: number } = { holder: undefined, token: 0 };
  return {
    state,
    catalog: {
      claimWriter: vi.fn((owner: string) => {
        if (state.holder !== undefined && state.holder !== owner) return Promise.resolve(undefined);
        if (state.holder !== owner) state.token += 1;
        state.holder = owner;
        return Promise.resolve(String(state.token));
      }),
      renewWriter: vi.fn((owner: string) => Promise.resolve(state.holder === owner)),
      releaseWriter: vi.fn((owner: string) => {
        if (state.holder === owner) state.holder = undefined;
        return Promise.resolve();
      }),
    },
  };
}

describe('acquireWriterLease', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('stands by while another process holds the lease, then takes it with a new token', async () => {
    const { state, catalog } = fakeCatalog();
    state.holder = 'other';
    state.token = 4;
    const pending = acquireWriterLease(catalog, { leaseMs: 3_000, logger, onLost: () => undefined });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(catalog.claimWriter.mock.calls.length).toBeGreaterThan(1);
    state.holder = undefined;
    await vi.advanceTimersByTimeAsync(1_000);
    const lease = await pending;
    expect(lease.token).toBe('5');
    await lease.release();
    expect(state.holder).toBeUndefined();
  });

  it('renews every third of the lease and reports a lost lease once', async () => {
    const { state, catalog } = fakeCatalog();
    const onLost = vi.fn();
    const lease = await acquireWriterLease(catalog, { leaseMs: 3_000, logger, onLost });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(catalog.renewWriter).toHaveBeenCalledTimes(3);
    expect(onLost).not.toHaveBeenCalled();
    state.holder = 'usurper';
    await vi.advanceTimersByTimeAsync(1_000);
    expect(onLost).toHaveBeenCalledWith(expect.stringMatching(/lease lapsed/));
    await lease.release();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(onLost).toHaveBeenCalledTimes(1);
  });
});
