import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

function breakerAt(start = 0) {
  const clock = { t: start };
  return { clock, breaker: new CircuitBreaker({ failureThreshold: 3, openMs: 1_000 }, () => clock.t) };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, not before', () => {
    const { breaker } = breakerAt();
    breaker.failed();
    breaker.failed();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failed();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('counts consecutive failures only: a success in between resets the count', () => {
    const { breaker } = breakerAt();
    breaker.failed();
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    breaker.failed();
    expect(breaker.state).toBe('closed');
  });

  it('lets exactly one probe through once the open period has passed', () => {
    const { breaker, clock } = breakerAt();
    for (let i = 0; i < 3; i++) breaker.failed();
    clock.t = 999;
    expect(breaker.tryAcquire()).toBe(false);
    clock.t = 1_000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('closes when the probe succeeds and reopens for a full period when it fails', () => {
    const { breaker, clock } = breakerAt();
    for (let i = 0; i < 3; i++) breaker.failed();
    clock.t = 1_000;
    breaker.tryAcquire();
    breaker.failed();
    expect(breaker.state).toBe('open');
    clock.t = 1_999;
    expect(breaker.tryAcquire()).toBe(false);
    clock.t = 2_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.succeeded();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('frees the probe slot when the probe ends without a verdict (a 429, an abort)', () => {
    const { breaker, clock } = breakerAt();
    for (let i = 0; i < 3; i++) breaker.failed();
    clock.t = 1_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.released();
    expect(breaker.tryAcquire()).toBe(true);
  });
});
