import { describe, expect, it } from 'vitest';
import { REASON_KINDS, type ExperimentCounts, type KindCounts, type ReasonKind, type VariantCounts } from './counts.js';
import { buildExperimentReport, renderExperimentReport, type ExperimentReport, type VariantReport } from './experiment-report.js';

const Z = 1.959964;
const Z_POWER = 0.841621;

/** One user-hour: [lists, clicks, positives]. */
type Unit = [number, number, number];

/** The moment sums the store would keep for these units. */
function variantOf(variant: string, units: Unit[], users = units.length, kinds: Partial<Record<ReasonKind, KindCounts>> = {}): VariantCounts {
  const sum = (f: (u: Unit) => number): number => units.reduce((s, u) => s + f(u), 0);
  return {
    variant,
    users,
    kinds,
    units: units.length,
    lists: sum(([l]) => l),
    clicks: sum(([, c]) => c),
    positives: sum(([, , p]) => p),
    listsSq: sum(([l]) => l * l),
    clicksSq: sum(([, c]) => c * c),
    positivesSq: sum(([, , p]) => p * p),
    listsClicks: sum(([l, c]) => l * c),
    listsPositives: sum(([l, , p]) => l * p),
  };
}

/** n units of `lists` lists each, k of them with one positive (and one click), the rest with none. */
function bernoulli(n: number, k: number, lists = 1): Unit[] {
  return Array.from({ length: n }, (_, i): Unit => (i < k ? [lists, 1, 1] : [lists, 0, 0]));
}

/** Every unit replicated `factor` times: the same rates, `factor` times the data. */
function scaled(v: VariantCounts, factor: number): VariantCounts {
  return {
    ...v,
    users: v.users * factor,
    units: v.units * factor,
    lists: v.lists * factor,
    clicks: v.clicks * factor,
    positives: v.positives * factor,
    listsSq: v.listsSq * factor,
    clicksSq: v.clicksSq * factor,
    positivesSq: v.positivesSq * factor,
    listsClicks: v.listsClicks * factor,
    listsPositives: v.listsPositives * factor,
  };
}

function counts(...variants: VariantCounts[]): ExperimentCounts {
  return { experiment: 'seeds', since: '2025-01-01T00:00:00Z', variants };
}

function variantNamed(report: ExperimentReport, name: string): VariantReport {
  const v = report.variants.find((x) => x.name === name);
  if (v === undefined) throw new Error(`no variant ${name}`);
  return v;
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Sample covariance (n − 1). */
function cov(xs: number[], ys: number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  return xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] ?? 0) - my), 0) / (xs.length - 1);
}

/** The output is rounded to 4 decimals: within half a unit of the 4th decimal of the exact value. */
function expectRounded(actual: number | undefined, exact: number): void {
  expect(Math.abs((actual ?? NaN) - exact)).toBeLessThanOrEqual(0.00005 + 1e-12);
}

function expectInterval(actual: [number, number] | null, low: number, high: number): void {
  expect(actual).not.toBeNull();
  expectRounded(actual?.[0], low);
  expectRounded(actual?.[1], high);
}

describe('buildExperimentReport: rates and delta-method intervals', () => {
  it('with one list per unit, reduces to the sample variance of the per-unit counts over n', () => {
    const units: Unit[] = [
      [1, 1, 0],
      [1, 2, 1],
      [1, 0, 0],
      [1, 3, 2],
      [1, 1, 1],
      [1, 0, 0],
      [1, 2, 0],
      [1, 1, 1],
    ];
    const report = buildExperimentReport(counts(variantOf('control', units)));
    const v = variantNamed(report, 'control');
    const n = units.length;
    for (const [rate, ci, values] of [
      [v.ctr, v.ctrCi, units.map(([, c]) => c)],
      [v.positiveRate, v.positiveRateCi, units.map(([, , p]) => p)],
    ] as const) {
      const m = mean(values);
      const half = Z * Math.sqrt(cov(values, values) / n);
      expectRounded(rate, m);
      expectInterval(ci, Math.max(0, m - half), m + half);
    }
  });

  it('with varying lists per unit, matches the delta method computed from sample (co)variances', () => {
    const units: Unit[] = [
      [3, 1, 1],
      [1, 0, 0],
      [5, 4, 2],
      [2, 1, 1],
      [4, 0, 0],
      [1, 1, 1],
      [6, 3, 1],
    ];
    const v = variantNamed(buildExperimentReport(counts(variantOf('control', units))), 'control');
    const x = units.map(([l]) => l);
    const n = units.length;
    for (const [rate, ci, y] of [
      [v.ctr, v.ctrCi, units.map(([, c]) => c)],
      [v.positiveRate, v.positiveRateCi, units.map(([, , p]) => p)],
    ] as const) {
      const r = mean(y) / mean(x);
      const variance = (cov(y, y) - 2 * r * cov(x, y) + r * r * cov(x, x)) / (n * mean(x) ** 2);
      expectRounded(rate, r);
      expectInterval(ci, Math.max(0, r - Z * Math.sqrt(variance)), r + Z * Math.sqrt(variance));
    }
    expect(v).toMatchObject({ users: 7, units: 7, lists: 22, clicks: 10, positives: 6 });
  });

  it('clips an interval at 0 below', () => {
    const units: Unit[] = [...bernoulli(9, 0), [1, 5, 5]];
    const v = variantNamed(buildExperimentReport(counts(variantOf('control', units))), 'control');
    // Per-unit positives: nine 0s and one 5: mean 0.5, sample variance 2.5, so ±1.96·0.5 around 0.5.
    expect(v.positiveRate).toBe(0.5);
    expectInterval(v.positiveRateCi, 0, 0.5 + Z * 0.5);
  });

  it('gives no interval (null) for a single unit, and rates 0 with no interval for a variant with no lists', () => {
    const report = buildExperimentReport(counts(variantOf('control', bernoulli(100, 20)), variantOf('one', [[4, 2, 1]]), variantOf('empty', [], 0)));
    const one = variantNamed(report, 'one');
    expect(one).toMatchObject({ ctr: 0.5, ctrCi: null, positiveRate: 0.25, positiveRateCi: null, vsControl: { diff: 0.05, diffCi: null } });
    const empty = variantNamed(report, 'empty');
    expect(empty).toMatchObject({ users: 0, lists: 0, ctr: 0, ctrCi: null, positiveRate: 0, positiveRateCi: null, vsControl: { diff: -0.2, diffCi: null }, kinds: [] });
    expect(report).toMatchObject({ verdict: 'no difference yet', winner: null, usersNeeded: null });
    expect(report.verdictText).toBe('no difference yet: too few user-hours to compare empty, one with control');
  });

  it('sizes the further users on a variant whose variance is known, not on a one-unit variant', () => {
    const control = variantOf('control', bernoulli(400, 40), 200);
    const b = variantOf('b', bernoulli(400, 48), 200);
    const withTiny = buildExperimentReport(counts(control, b, variantOf('tiny', [[1, 1, 1]], 1)));
    expect(withTiny).toMatchObject({ verdict: 'no difference yet', usersNeeded: buildExperimentReport(counts(control, b)).usersNeeded });
    expect(withTiny.verdictText).toMatch(/^no difference yet between b and control /);
  });

  it('rounds rates to 4 decimals and never reports a negative zero', () => {
    const report = buildExperimentReport(counts(variantOf('control', bernoulli(10_000, 1_000)), variantOf('b', bernoulli(10_001, 1_000)), variantOf('thirds', bernoulli(3, 1))));
    expect(variantNamed(report, 'thirds').positiveRate).toBe(0.3333);
    expect(Object.is(variantNamed(report, 'b').vsControl.diff, 0)).toBe(true);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('buildExperimentReport: control', () => {
  const variants = [variantOf('zeta', bernoulli(10, 1)), variantOf('control', bernoulli(10, 2)), variantOf('alpha', bernoulli(10, 3))];

  it('uses the variant named "control" when none is given, reported first and the rest in name order', () => {
    const report = buildExperimentReport(counts(...variants));
    expect(report.control).toBe('control');
    expect(report.metric).toBe('positiveRate');
    expect(report.variants.map((v) => v.name)).toEqual(['control', 'alpha', 'zeta']);
    expect(report.variants[0]?.vsControl).toEqual({ diff: 0, diffCi: [0, 0] });
    expect(report.variants[0]?.ctrVsControl).toEqual({ diff: 0, diffCi: [0, 0] });
  });

  it('uses the option when given', () => {
    const report = buildExperimentReport(counts(...variants), { control: 'zeta' });
    expect(report.control).toBe('zeta');
    expect(report.variants.map((v) => v.name)).toEqual(['zeta', 'alpha', 'control']);
    expectRounded(variantNamed(report, 'alpha').vsControl.diff, 0.2);
    expectRounded(variantNamed(report, 'alpha').ctrVsControl.diff, 0.2);
  });

  it('falls back to the first variant in name order', () => {
    const report = buildExperimentReport(counts(variantOf('seed-only', bernoulli(10, 1)), variantOf('catalog', bernoulli(10, 1))));
    expect(report.control).toBe('catalog');
    expect(report.variants.map((v) => v.name)).toEqual(['catalog', 'seed-only']);
  });

  it('throws naming the known variants when the requested control is not one of them', () => {
    expect(() => buildExperimentReport(counts(...variants), { control: 'beta' })).toThrow('experiment seeds has no variant "beta" to use as the control; its variants: alpha, control, zeta');
  });

  it('throws when there are no variants', () => {
    expect(() => buildExperimentReport(counts())).toThrow('experiment seeds has no variants to report');
  });
});

describe('buildExperimentReport: verdict', () => {
  it('names a clearly better variant the winner, with the diff interval of independent arms', () => {
    const catalog = bernoulli(2_000, 400, 2);
    const seedOnly = bernoulli(2_000, 800, 2);
    const report = buildExperimentReport(counts(variantOf('seed-only', seedOnly, 1_000), variantOf('catalog', catalog, 1_000)));
    const perUnitVariance = (units: Unit[]): number => cov(units.map(([, , p]) => p), units.map(([, , p]) => p)) / (units.length * 4);
    const half = Z * Math.sqrt(perUnitVariance(catalog) + perUnitVariance(seedOnly));
    const seed = variantNamed(report, 'seed-only');
    expect(seed.positiveRate).toBe(0.2);
    expectRounded(seed.vsControl.diff, 0.1);
    expectInterval(seed.vsControl.diffCi, 0.1 - half, 0.1 + half);
    expect(report).toMatchObject({ control: 'catalog', verdict: 'winner', winner: 'seed-only', usersNeeded: null });
    expect(report.verdictText).toBe(`seed-only beats catalog: +0.1000 positives per list [${(0.1 - half).toFixed(4)}, ${(0.1 + half).toFixed(4)}]`);
  });

  it('names the control when the other variant is clearly worse', () => {
    const report = buildExperimentReport(counts(variantOf('control', bernoulli(2_000, 600)), variantOf('b', bernoulli(2_000, 200))));
    expect(report).toMatchObject({ verdict: 'winner', winner: 'control', usersNeeded: null });
    expect(report.verdictText).toMatch(/^control beats b \(-0\.2000 positives per list \[-0\.\d{4}, -0\.\d{4}\]\)$/);
  });

  it('with no clear difference, says how many more users would decide it, and decides once there are 100× as many', () => {
    const control = variantOf('control', bernoulli(400, 40), 200);
    const b = variantOf('b', bernoulli(400, 48), 200);
    const report = buildExperimentReport(counts(control, b));
    expect(report).toMatchObject({ verdict: 'no difference yet', winner: null });
    // Equal units per arm: n* = (z_α/2 + z_β)²·(σ_b² + σ_c²)/δ², σ² the per-unit variance (one list per unit).
    const sigmaSq = (k: number): number => (k * (1 - k / 400) ** 2 + (400 - k) * (k / 400) ** 2) / 399;
    const perArm = ((Z + Z_POWER) ** 2 * (sigmaSq(48) + sigmaSq(40))) / 0.02 ** 2;
    const expected = Math.ceil(2 * perArm * (200 / 400) - 400);
    expect(expected).toBe(3448);
    expect(report.usersNeeded).toBe(expected);
    expect(report.verdictText).toMatch(/^no difference yet between b and control \(\+0\.0200 positives per list \[-0\.\d{4}, 0\.\d{4}\]\): about 3,448 more users at the observed rates$/);

    const bigger = buildExperimentReport(counts(scaled(control, 100), scaled(b, 100)));
    expect(bigger).toMatchObject({ verdict: 'winner', winner: 'b', usersNeeded: null });
    expectRounded(variantNamed(bigger, 'b').positiveRate, 0.12);
  });

  it('keeps the current split between arms and their users per unit when sizing the further users', () => {
    const report = buildExperimentReport(counts(variantOf('control', bernoulli(600, 60), 300), variantOf('b', bernoulli(200, 24), 150)));
    const sigmaSq = (n: number, k: number): number => (k * (1 - k / n) ** 2 + (n - k) * (k / n) ** 2) / (n - 1);
    const share = 200 / 800;
    const totalUnits = ((Z + Z_POWER) ** 2 * (sigmaSq(200, 24) / share + sigmaSq(600, 60) / (1 - share))) / 0.02 ** 2;
    const further = totalUnits * share * (150 / 200) + totalUnits * (1 - share) * (300 / 600) - 450;
    expect(report.verdict).toBe('no difference yet');
    expect(report.usersNeeded).toBe(Math.ceil(further));
  });

  it('gives no estimate of users needed when the observed difference is exactly 0', () => {
    const report = buildExperimentReport(counts(variantOf('control', bernoulli(100, 10)), variantOf('b', bernoulli(300, 30))));
    expect(report).toMatchObject({ verdict: 'no difference yet', winner: null, usersNeeded: null });
    expect(variantNamed(report, 'b').vsControl.diff).toBe(0);
    expect(report.verdictText).toBe('no difference yet: b and control have the same positive rate so far');
  });

  it('with several variants significantly better, names the best of them', () => {
    const report = buildExperimentReport(counts(variantOf('control', bernoulli(1_000, 100)), variantOf('b', bernoulli(1_000, 200)), variantOf('c', bernoulli(1_000, 300))));
    expect(report).toMatchObject({ verdict: 'winner', winner: 'c' });
    expect(report.verdictText).toMatch(/^c beats control: \+0\.2000 positives per list \[.*\] \(also better than control: b\)$/);
  });

  it('breaks a tie between equally good winners by name', () => {
    const report = buildExperimentReport(counts(variantOf('control', bernoulli(1_000, 100)), variantOf('d', bernoulli(1_000, 300)), variantOf('b', bernoulli(1_000, 300))));
    expect(report.winner).toBe('b');
  });

  it('with several variants, names the control only when every other is significantly worse', () => {
    const allWorse = buildExperimentReport(counts(variantOf('control', bernoulli(1_000, 300)), variantOf('b', bernoulli(1_000, 100)), variantOf('c', bernoulli(1_000, 200))));
    expect(allWorse).toMatchObject({ verdict: 'winner', winner: 'control', usersNeeded: null });
    expect(allWorse.verdictText).toMatch(/^control beats b \(-0\.2000 .*\), c \(-0\.1000 .*\)$/);

    const oneUndecided = buildExperimentReport(counts(variantOf('control', bernoulli(1_000, 300)), variantOf('b', bernoulli(1_000, 100)), variantOf('c', bernoulli(1_000, 280))));
    expect(oneUndecided).toMatchObject({ verdict: 'no difference yet', winner: null });
    expect(oneUndecided.usersNeeded).toBeGreaterThan(0);
    expect(oneUndecided.verdictText).toMatch(/^no difference yet between c and control \(-0\.0200 /);
  });

  it('with only the control, has nothing to compare', () => {
    const report = buildExperimentReport(counts(variantOf('control', bernoulli(10, 1))));
    expect(report).toMatchObject({ verdict: 'no difference yet', winner: null, usersNeeded: null, verdictText: 'no difference yet: control is the only variant' });
  });
});

describe('buildExperimentReport: reason kinds', () => {
  it('lists kinds with slots in REASON_KINDS order, with per-slot rates and Wilson intervals on the capped count', () => {
    const kinds: Partial<Record<ReasonKind, KindCounts>> = {
      exploring: { slots: 4, clicks: 6, positives: 4 },
      popular: { slots: 0, clicks: 0, positives: 0 },
      topic: { slots: 10, clicks: 5, positives: 0 },
      seed: { slots: 3, clicks: 1, positives: 1 },
    };
    const v = variantNamed(buildExperimentReport(counts(variantOf('control', bernoulli(10, 1), 10, kinds))), 'control');
    expect(v.kinds.map((k) => k.kind)).toEqual(['topic', 'seed', 'exploring']);
    expect(REASON_KINDS.indexOf('seed')).toBeLessThan(REASON_KINDS.indexOf('exploring'));
    expect(v.kinds[0]).toEqual({ kind: 'topic', slots: 10, clicks: 5, positives: 0, ctr: 0.5, ctrCi: [0.2366, 0.7634], positiveRate: 0, positiveRateCi: [0, 0.2775] });
    // 6 clicks on 4 slots: the rate is 1.5, the interval is Wilson's for 4 of 4.
    expect(v.kinds[2]).toEqual({ kind: 'exploring', slots: 4, clicks: 6, positives: 4, ctr: 1.5, ctrCi: [0.5101, 1], positiveRate: 1, positiveRateCi: [0.5101, 1] });
    expect(v.kinds[1]?.ctr).toBe(0.3333);
  });
});

describe('renderExperimentReport', () => {
  const report = buildExperimentReport(
    counts(
      variantOf('seed-only', bernoulli(2_000, 800, 2), 1_000, { seed: { slots: 40, clicks: 8, positives: 3 } }),
      variantOf('catalog', bernoulli(2_000, 400, 2), 1_000, { topic: { slots: 50, clicks: 5, positives: 2 } }),
      variantOf('tiny', [[2, 1, 1]], 1),
    ),
  );
  const text = renderExperimentReport(report);
  const lines = text.split('\n');

  it('has a header line, a row per variant, the verdict and the kinds section', () => {
    expect(lines[0]).toBe('experiment seeds  since 2025-01-01T00:00:00Z  control catalog');
    for (const name of ['catalog', 'seed-only', 'tiny']) expect(lines.some((l) => l.startsWith(name))).toBe(true);
    expect(text).toContain(report.verdictText);
    expect(text).toContain('(control)');
    expect(text).toContain('[n/a]');
    expect(text).toContain('by reason kind');
    expect(lines.some((l) => /^seed-only\s+seed\s+40\s+8\s+3\s+0\.2000 \[/.test(l))).toBe(true);
    expect(lines.some((l) => /^catalog\s+topic\s+50\s+5\s+2\s+0\.1000 \[/.test(l))).toBe(true);
    expect(text).not.toContain('\u001b');
  });

  it('lines the columns up', () => {
    const header = lines[2] ?? '';
    const ctrAt = header.indexOf('CTR');
    const usersEnd = header.indexOf('users') + 'users'.length;
    for (const v of report.variants) {
      const row = lines.find((l) => l.startsWith(`${v.name} `)) ?? '';
      expect(row.slice(ctrAt)).toMatch(new RegExp(`^${v.ctr.toFixed(4).replace('.', '\\.')} \\[`));
      expect(row.slice(0, usersEnd).endsWith(` ${v.users}`)).toBe(true);
    }
  });
});
