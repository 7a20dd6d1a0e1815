import { describe, expect, it } from 'vitest';
import { FaultProfile } from './fault-profile.js';

describe('FaultProfile', () => {
  it('defaults to no faults and no latency', () => {
    expect(FaultProfile.parse({})).toEqual({
      latency: { kind: 'fixed', ms: 0 },
      errors: {},
      hangShare: 0,
      outputs: { garbage: 0, fenced: 0, prose: 0, think: 0, truncated: 0, omitUsage: 0 },
      seed: 1,
      cleanFirst: 0,
    });
  });

  it('fills what a partial profile leaves out', () => {
    const profile = FaultProfile.parse({ errors: { 503: 0.1 }, outputs: { fenced: 0.5 }, latency: { kind: 'lognormal', p50Ms: 100, p99Ms: 400 } });
    expect(profile.outputs).toEqual({ garbage: 0, fenced: 0.5, prose: 0, think: 0, truncated: 0, omitUsage: 0 });
    expect(profile.errors).toEqual({ 503: 0.1 });
  });

  it('rejects shares that cannot all happen, unknown statuses and fields, and inverted ranges', () => {
    expect(FaultProfile.safeParse({ errors: { 500: 0.6 }, hangShare: 0.3, outputs: { prose: 0.2 } }).success).toBe(false);
    // omitUsage is independent of the others.
    expect(FaultProfile.safeParse({ errors: { 500: 0.6 }, hangShare: 0.4, outputs: { omitUsage: 1 } }).success).toBe(true);
    expect(FaultProfile.safeParse({ errors: { 200: 0.1 } }).success).toBe(false);
    expect(FaultProfile.safeParse({ errors: { 500: 1.5 } }).success).toBe(false);
    expect(FaultProfile.safeParse({ hangshare: 0.1 }).success).toBe(false);
    expect(FaultProfile.safeParse({ latency: { kind: 'uniform', minMs: 10, maxMs: 5 } }).success).toBe(false);
    expect(FaultProfile.safeParse({ latency: { kind: 'lognormal', p50Ms: 500, p99Ms: 100 } }).success).toBe(false);
  });
});
