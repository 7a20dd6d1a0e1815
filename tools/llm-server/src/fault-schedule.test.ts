import { describe, expect, it } from 'vitest';
import { FaultProfile, type FaultProfileInput } from './fault-profile.js';
import { FaultSchedule, outcomeName } from './fault-schedule.js';

const schedule = (input: FaultProfileInput) => new FaultSchedule(FaultProfile.parse(input));

const tally = (s: FaultSchedule, from: number, to: number) => {
  const counts: Record<string, number> = {};
  for (let i = from; i < to; i++) {
    const name = outcomeName(s.fate(i).outcome);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
};

const MIXED: FaultProfileInput = {
  errors: { 500: 0.2, 503: 0.1, 429: 0.05 },
  hangShare: 0.05,
  outputs: { garbage: 0.1, fenced: 0.05, prose: 0.05, think: 0.1, truncated: 0.1, omitUsage: 0.25 },
  seed: 42,
};

describe('FaultSchedule', () => {
  it('gives every share exactly over a whole number of blocks (20 requests here), wherever the count starts', () => {
    const s = schedule(MIXED);
    const expected = { 500: 40, 503: 20, 429: 10, hang: 10, garbage: 20, fenced: 10, prose: 10, think: 20, truncated: 20, ok: 40 };
    expect(tally(s, 0, 200)).toEqual(expected);
    expect(tally(s, 400, 600)).toEqual(expected);
    const omitted = Array.from({ length: 200 }, (_, i) => s.fate(i).omitUsage).filter(Boolean);
    expect(omitted).toHaveLength(50);
  });

  it('spreads faults through each block instead of bunching them', () => {
    // 0.25 → exactly one failure in every block of 4 requests.
    const s = schedule({ errors: { 500: 0.25 } });
    for (let block = 0; block < 25; block++) expect(tally(s, block * 4, block * 4 + 4)).toEqual({ 500: 1, ok: 3 });
  });

  it('is reproducible: same seed, same fates and latencies; another seed, another order with the same counts', () => {
    const fates = (input: FaultProfileInput) => {
      const s = schedule(input);
      return Array.from({ length: 100 }, (_, i) => s.fate(i));
    };
    const profile = { ...MIXED, latency: { kind: 'uniform', minMs: 10, maxMs: 50 } } as const;
    expect(fates(profile)).toEqual(fates(profile));
    const other = fates({ ...profile, seed: 7 });
    expect(other.map((f) => outcomeName(f.outcome))).not.toEqual(fates(profile).map((f) => outcomeName(f.outcome)));
    expect(tally(schedule({ ...MIXED, seed: 7 }), 0, 100)).toEqual(tally(schedule(MIXED), 0, 100));
  });

  it('answers the first cleanFirst requests cleanly and starts the pattern after them', () => {
    const plain = schedule({ errors: { 500: 0.25 }, outputs: { omitUsage: 0.5 } });
    const shifted = schedule({ errors: { 500: 0.25 }, outputs: { omitUsage: 0.5 }, cleanFirst: 1 });
    expect(shifted.fate(0)).toMatchObject({ outcome: { kind: 'ok' }, omitUsage: false });
    for (let i = 0; i < 40; i++) {
      expect(shifted.fate(i + 1).outcome).toEqual(plain.fate(i).outcome);
      expect(shifted.fate(i + 1).omitUsage).toBe(plain.fate(i).omitUsage);
    }
  });

  it('rounds shares that fit no block of up to 10 000 requests', () => {
    expect(tally(schedule({ errors: { 500: 0.12345678 } }), 0, 10_000)).toEqual({ 500: 1235, ok: 8765 });
    expect(tally(schedule({ errors: { 500: 1 / 3 } }), 0, 300)).toEqual({ 500: 100, ok: 200 });
  });

  it('samples latency from the profile', () => {
    expect(schedule({ latency: { kind: 'fixed', ms: 645 } }).fate(3).latencyMs).toBe(645);
    const uniform = schedule({ latency: { kind: 'uniform', minMs: 10, maxMs: 20 } });
    const u = Array.from({ length: 1000 }, (_, i) => uniform.fate(i).latencyMs);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...u)).toBeLessThanOrEqual(20);

    const lognormal = schedule({ latency: { kind: 'lognormal', p50Ms: 200, p99Ms: 800 } });
    const sorted = Array.from({ length: 20_000 }, (_, i) => lognormal.fate(i).latencyMs).sort((a, b) => a - b);
    expect(sorted[10_000]).toBeGreaterThan(190);
    expect(sorted[10_000]).toBeLessThan(210);
    expect(sorted[19_800]).toBeGreaterThan(720);
    expect(sorted[19_800]).toBeLessThan(880);
  });
});
