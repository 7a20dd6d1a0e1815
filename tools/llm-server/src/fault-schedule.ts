import { seededRandom, shuffle } from '@coldstart/runtime';
import { type FaultProfile, type LatencyProfile, OUTPUT_FAULTS, type OutputFault } from './fault-profile.js';

export type Outcome =
  | { kind: 'ok' }
  | { kind: 'error'; status: number }
  | { kind: 'hang' }
  | { kind: 'malformed'; form: OutputFault };

export interface RequestFate {
  outcome: Outcome;
  latencyMs: number;
  omitUsage: boolean;
}

/** The key counted in the server's stats: "ok", "hang", a malformed form, or the status ("503"). */
export function outcomeName(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'ok':
    case 'hang':
      return outcome.kind;
    case 'error':
      return String(outcome.status);
    case 'malformed':
      return outcome.form;
  }
}

/** Shares with up to three decimals (or simple fractions such as 1/3) are exact per block. */
const MAX_DENOMINATOR = 1000;
const MAX_PERIOD = 10_000;
/** z such that P(Z ≤ z) = 0.99 for a standard normal Z. */
const Z_99 = 2.3263478740408408;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The smallest block length in which every share is a whole number of requests; shares that fit
 * no such block up to MAX_PERIOD are rounded to MAX_PERIOD (largest remainder).
 */
function periodOf(shares: readonly number[]): number {
  let period = 1;
  for (const share of shares) {
    let denominator = 1;
    while (denominator <= MAX_DENOMINATOR && Math.abs(share * denominator - Math.round(share * denominator)) > 1e-9) denominator++;
    if (denominator > MAX_DENOMINATOR) return MAX_PERIOD;
    period = (period * denominator) / gcd(period, denominator);
    if (period > MAX_PERIOD) return MAX_PERIOD;
  }
  return period;
}

/** Slot counts per share in a block of `period`, summing to at most `period`. */
function slotCounts(shares: readonly number[], period: number): number[] {
  const exact = shares.map((share) => share * period);
  const counts = exact.map((x) => Math.floor(x + 1e-9));
  const room = Math.min(period, Math.round(exact.reduce((sum, x) => sum + x, 0))) - counts.reduce((sum, n) => sum + n, 0);
  const byRemainder = exact.map((x, i) => ({ i, remainder: x - (counts[i] ?? 0) })).sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of byRemainder.slice(0, Math.max(0, room))) counts[i] = (counts[i] ?? 0) + 1;
  return counts;
}

/**
 * Deals out `slots` (indices into the shares, or -1 for "none") in blocks: each block holds
 * exactly share × period of each, in a seeded shuffled order, so over any whole number of blocks
 * the counts are exact and a test can assert them.
 */
class BlockPattern {
  private readonly period: number;
  private readonly template: number[];
  private cached: { block: number; slots: number[] }[] = [];

  constructor(
    shares: readonly number[],
    private readonly streamName: string,
    private readonly seed: number,
  ) {
    this.period = periodOf(shares);
    this.template = slotCounts(shares, this.period).flatMap((count, i) => Array.from({ length: count }, () => i));
    while (this.template.length < this.period) this.template.push(-1);
  }

  slotAt(position: number): number {
    const block = Math.floor(position / this.period);
    let entry = this.cached.find((c) => c.block === block);
    if (entry === undefined) {
      entry = { block, slots: shuffle([...this.template], seededRandom(this.seed, this.streamName, block)) };
      // Requests arrive in index order, so the current block and its neighbour are all we need.
      this.cached = [entry, ...this.cached.slice(0, 1)];
    }
    return entry.slots[position % this.period] ?? -1;
  }
}

export function sampleLatency(latency: LatencyProfile, random: () => number): number {
  switch (latency.kind) {
    case 'fixed':
      return latency.ms;
    case 'uniform':
      return latency.minMs + random() * (latency.maxMs - latency.minMs);
    case 'lognormal': {
      const mu = Math.log(latency.p50Ms);
      const sigma = (Math.log(latency.p99Ms) - mu) / Z_99;
      // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
      const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return Math.exp(mu + sigma * normal);
    }
  }
}

/**
 * Request i's fate under a fault profile, a pure function of (profile, i): the same profile gives
 * the same faults on the same requests, run after run, whatever the concurrency.
 */
export class FaultSchedule {
  private readonly outcomes: Outcome[];
  private readonly outcomePattern: BlockPattern;
  private readonly usagePattern: BlockPattern;

  constructor(private readonly profile: FaultProfile) {
    const errors = Object.entries(profile.errors)
      .map(([status, share]) => ({ status: Number(status), share }))
      .sort((a, b) => a.status - b.status);
    const slots: { outcome: Outcome; share: number }[] = [
      ...errors.map(({ status, share }) => ({ outcome: { kind: 'error' as const, status }, share })),
      { outcome: { kind: 'hang' }, share: profile.hangShare },
      ...OUTPUT_FAULTS.map((form) => ({ outcome: { kind: 'malformed' as const, form }, share: profile.outputs[form] })),
    ];
    this.outcomes = slots.map((s) => s.outcome);
    this.outcomePattern = new BlockPattern(
      slots.map((s) => s.share),
      'outcome',
      profile.seed,
    );
    this.usagePattern = new BlockPattern([profile.outputs.omitUsage], 'usage', profile.seed);
  }

  /** `index`: the request's 0-based arrival order among valid chat-completion requests. */
  fate(index: number): RequestFate {
    const latencyMs = sampleLatency(this.profile.latency, seededRandom(this.profile.seed, 'latency', index));
    const position = index - this.profile.cleanFirst;
    if (position < 0) return { outcome: { kind: 'ok' }, latencyMs, omitUsage: false };
    return {
      outcome: this.outcomes[this.outcomePattern.slotAt(position)] ?? { kind: 'ok' },
      latencyMs,
      omitUsage: this.usagePattern.slotAt(position) === 0,
    };
  }
}
