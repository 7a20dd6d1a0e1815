/**
 * Reads an experiment's counts (counts.ts) out as rates with 95 % intervals, each variant against
 * the control, and a verdict: a JSON shape other tools script against, and a terminal rendering.
 *
 * Per-variant rates are ratio estimators over user-hour units (clicks/lists, positives/lists); their
 * variance is the delta method's with n − 1 denominators, which is Σ_u (y_u − R·x_u)² / ((n − 1)·n·x̄²):
 * the same as (s_Y² − 2R·s_XY + R²·s_X²) / (n·x̄²) with sample (co)variances, written as a sum of
 * squared residuals so it is never negative by more than rounding. With fewer than two units the
 * variance is unknown and the interval is null (JSON null, "n/a" when rendered), never a made-up one.
 */
import { REASON_KINDS, type ExperimentCounts, type KindCounts, type ReasonKind, type VariantCounts } from './counts.js';

/** Two-sided 5 %. */
const Z = 1.959964;
/** 80 % power. */
const Z_POWER = 0.841621;

/** A 95 % interval, [low, high]. */
export type Interval = [number, number];

/** A variant's rate minus the control's; diffCi is null when either arm's variance is unknown. */
export interface Comparison {
  diff: number;
  diffCi: Interval | null;
}

/** Rates per slot of one reason kind, with Wilson intervals (a slot is one Bernoulli trial). */
export interface KindReport {
  kind: ReasonKind;
  slots: number;
  clicks: number;
  positives: number;
  ctr: number;
  ctrCi: Interval;
  positiveRate: number;
  positiveRateCi: Interval;
}

export interface VariantReport {
  name: string;
  users: number;
  /** User-hours: the unit the intervals treat as independent. */
  units: number;
  lists: number;
  clicks: number;
  positives: number;
  /** Clicks per list; 0 when no list was served. */
  ctr: number;
  /** Null when the variant has fewer than two units (variance unknown). */
  ctrCi: Interval | null;
  /** Positives per list: the primary metric. 0 when no list was served. */
  positiveRate: number;
  positiveRateCi: Interval | null;
  /** On the positive rate; {diff: 0, diffCi: [0, 0]} for the control itself. */
  vsControl: Comparison;
  ctrVsControl: Comparison;
  /** Reason kinds with at least one slot, in REASON_KINDS order. */
  kinds: KindReport[];
}

export type Verdict = 'winner' | 'no difference yet';

export interface ExperimentReport {
  experiment: string;
  since: string;
  control: string;
  /** The metric vsControl, the verdict and usersNeeded are about. */
  metric: 'positiveRate';
  /** The control first, then the others in name order. */
  variants: VariantReport[];
  verdict: Verdict;
  winner: string | null;
  /**
   * With no verdict yet: further users, all in the two arms compared, until a two-sided 5 % test
   * has 80 % power at the observed difference and per-unit variances. Null with a verdict, with
   * an observed difference of exactly 0, or with a variance unknown.
   */
  usersNeeded: number | null;
  verdictText: string;
}

export interface ExperimentReportOptions {
  /** The variant the others are compared with; by default "control" if present, else the first by name. */
  control?: string;
}

/** A ratio estimate before rounding; variance null when unknown (fewer than two units). */
interface Estimate {
  rate: number;
  variance: number | null;
}

interface Arm {
  counts: VariantCounts;
  ctr: Estimate;
  positiveRate: Estimate;
}

/** A non-control arm against the control on the positive rate, before rounding. */
interface Contrast {
  arm: Arm;
  diff: number;
  variance: number | null;
}

/**
 * Builds the report. The verdict, decided on unrounded values:
 * - if some variant's positive-rate diffCi lies wholly above 0, the winner is the one among those
 *   with the highest positive rate (the earlier name on a tie);
 * - else if every other variant's diffCi lies wholly below 0, the control wins;
 * - else "no difference yet" (also when some, but not all, are significantly worse: the control is
 *   not shown better than the rest), and usersNeeded is about the undecided non-control variant with
 *   the highest positive rate among those whose variance is known (a one-unit arm's rate is noise,
 *   and has no variance to size a test with). The further users keep the current split between the
 *   two arms and their users per unit, so each arm's units scale by k = (z_α/2 + z_β)²·(Var_v + Var_c)/δ²
 *   and the users needed are ⌈(k − 1)·(users_v + users_c)⌉; with equal units per arm that is the
 *   per-arm n* = (z_α/2 + z_β)²·(σ_v² + σ_c²)/δ² with σ² = n·Var(R).
 */
export function buildExperimentReport(counts: ExperimentCounts, options: ExperimentReportOptions = {}): ExperimentReport {
  const names = counts.variants.map((v) => v.variant).sort();
  const control = controlName(names, options.control, counts.experiment);
  const ordered = [control, ...names.filter((name) => name !== control)];
  const arms = ordered.map((name) => armOf(counts.variants.find((v) => v.variant === name) as VariantCounts));
  const [controlArm, ...others] = arms as [Arm, ...Arm[]];
  const contrasts = others.map((arm): Contrast => ({ arm, ...contrast(arm.positiveRate, controlArm.positiveRate) }));

  const { winner, usersNeeded, verdictText } = decide(control, controlArm, contrasts);

  return {
    experiment: counts.experiment,
    since: counts.since,
    control,
    metric: 'positiveRate',
    variants: arms.map((arm, i) => variantReport(arm, i === 0 ? null : controlArm)),
    verdict: winner === null ? 'no difference yet' : 'winner',
    winner,
    usersNeeded,
    verdictText,
  };
}

function decide(control: string, controlArm: Arm, contrasts: Contrast[]): Pick<ExperimentReport, 'winner' | 'usersNeeded' | 'verdictText'> {
  if (contrasts.length === 0) return { winner: null, usersNeeded: null, verdictText: `no difference yet: ${control} is the only variant` };
  const better = contrasts.filter((c) => significance(c) > 0);
  const undecided = contrasts.filter((c) => significance(c) === 0);
  if (better.length > 0) {
    const best = highest(better);
    const winner = best.arm.counts.variant;
    const also = better.filter((c) => c !== best).map((c) => c.arm.counts.variant);
    const alsoText = also.length > 0 ? ` (also better than ${control}: ${also.join(', ')})` : '';
    return { winner, usersNeeded: null, verdictText: `${winner} beats ${control}: ${describeDiff(best)}${alsoText}` };
  }
  if (undecided.length === 0) {
    return { winner: control, usersNeeded: null, verdictText: `${control} beats ${contrasts.map((c) => `${c.arm.counts.variant} (${describeDiff(c)})`).join(', ')}` };
  }
  const sizable = undecided.filter((c): c is Contrast & { variance: number } => c.variance !== null);
  if (sizable.length === 0) {
    const names = undecided.map((c) => c.arm.counts.variant).join(', ');
    return { winner: null, usersNeeded: null, verdictText: `no difference yet: too few user-hours to compare ${names} with ${control}` };
  }
  const candidate = highest(sizable);
  const name = candidate.arm.counts.variant;
  if (candidate.diff === 0) {
    return { winner: null, usersNeeded: null, verdictText: `no difference yet: ${name} and ${control} have the same positive rate so far` };
  }
  // Undecided means |δ| ≤ z·√Var, so the scale is at least ((z + z_power)/z)² > 2: some users are always needed.
  const scale = ((Z + Z_POWER) ** 2 * candidate.variance) / (candidate.diff * candidate.diff);
  const usersNeeded = Math.ceil((scale - 1) * (candidate.arm.counts.users + controlArm.counts.users));
  return {
    winner: null,
    usersNeeded,
    verdictText: `no difference yet between ${name} and ${control} (${describeDiff(candidate)}): about ${usersNeeded.toLocaleString('en-US')} more users at the observed rates`,
  };
}

function controlName(names: string[], requested: string | undefined, experiment: string): string {
  if (requested !== undefined) {
    if (!names.includes(requested)) {
      throw new Error(`experiment ${experiment} has no variant "${requested}" to use as the control; its variants: ${names.join(', ') || '(none)'}`);
    }
    return requested;
  }
  const fallback = names.includes('control') ? 'control' : names[0];
  if (fallback === undefined) throw new Error(`experiment ${experiment} has no variants to report`);
  return fallback;
}

function armOf(counts: VariantCounts): Arm {
  return {
    counts,
    ctr: ratioEstimate(counts.units, counts.lists, counts.listsSq, counts.clicks, counts.clicksSq, counts.listsClicks),
    positiveRate: ratioEstimate(counts.units, counts.lists, counts.listsSq, counts.positives, counts.positivesSq, counts.listsPositives),
  };
}

/** R = ΣY/ΣX over n units with the delta-method variance (n − 1 denominators; see the file comment). */
function ratioEstimate(n: number, sumX: number, sumXSq: number, sumY: number, sumYSq: number, sumXY: number): Estimate {
  if (sumX === 0) return { rate: 0, variance: null };
  const rate = sumY / sumX;
  if (n < 2) return { rate, variance: null };
  const meanX = sumX / n;
  const residuals = Math.max(0, sumYSq - 2 * rate * sumXY + rate * rate * sumXSq);
  return { rate, variance: residuals / ((n - 1) * n * meanX * meanX) };
}

/** Independent arms: the variances add. */
function contrast(variant: Estimate, control: Estimate): { diff: number; variance: number | null } {
  const variance = variant.variance === null || control.variance === null ? null : variant.variance + control.variance;
  return { diff: variant.rate - control.rate, variance };
}

/** +1 when the interval lies above 0, −1 when below, 0 when it holds 0 or is unknown. */
function significance(c: Contrast): number {
  if (c.variance === null) return 0;
  const half = Z * Math.sqrt(c.variance);
  if (c.diff - half > 0) return 1;
  if (c.diff + half < 0) return -1;
  return 0;
}

/** The highest positive rate; the input is in name order, so a tie keeps the earlier name. */
function highest<T extends Contrast>(contrasts: T[]): T {
  return contrasts.reduce((best, c) => (c.diff > best.diff ? c : best));
}

function describeDiff(c: Contrast): string {
  const { diff, diffCi } = comparison(c);
  return `${signed(diff)} positives per list ${formatInterval(diffCi)}`;
}

function variantReport(arm: Arm, controlArm: Arm | null): VariantReport {
  const { counts } = arm;
  const none: Comparison = { diff: 0, diffCi: [0, 0] };
  return {
    name: counts.variant,
    users: counts.users,
    units: counts.units,
    lists: counts.lists,
    clicks: counts.clicks,
    positives: counts.positives,
    ctr: round(arm.ctr.rate),
    ctrCi: estimateInterval(arm.ctr),
    positiveRate: round(arm.positiveRate.rate),
    positiveRateCi: estimateInterval(arm.positiveRate),
    vsControl: controlArm === null ? none : comparison(contrast(arm.positiveRate, controlArm.positiveRate)),
    ctrVsControl: controlArm === null ? none : comparison(contrast(arm.ctr, controlArm.ctr)),
    kinds: REASON_KINDS.flatMap((kind) => {
      const k = counts.kinds[kind];
      return k !== undefined && k.slots > 0 ? [kindReport(kind, k)] : [];
    }),
  };
}

function estimateInterval({ rate, variance }: Estimate): Interval | null {
  if (variance === null) return null;
  const half = Z * Math.sqrt(variance);
  return [round(Math.max(0, rate - half)), round(rate + half)];
}

function comparison({ diff, variance }: { diff: number; variance: number | null }): Comparison {
  if (variance === null) return { diff: round(diff), diffCi: null };
  const half = Z * Math.sqrt(variance);
  return { diff: round(diff), diffCi: [round(diff - half), round(diff + half)] };
}

function kindReport(kind: ReasonKind, k: KindCounts): KindReport {
  return {
    kind,
    slots: k.slots,
    clicks: k.clicks,
    positives: k.positives,
    ctr: round(k.clicks / k.slots),
    ctrCi: wilson(k.clicks, k.slots),
    positiveRate: round(k.positives / k.slots),
    positiveRateCi: wilson(k.positives, k.slots),
  };
}

/** Wilson score interval; a slot can collect several clicks, so the count is capped at the slots. */
function wilson(count: number, slots: number): Interval {
  const p = Math.min(count, slots) / slots;
  const z2 = Z * Z;
  const denominator = 1 + z2 / slots;
  const centre = (p + z2 / (2 * slots)) / denominator;
  const half = (Z / denominator) * Math.sqrt((p * (1 - p)) / slots + z2 / (4 * slots * slots));
  return [round(Math.max(0, centre - half)), round(Math.min(1, centre + half))];
}

/** To 4 decimals; `+ 0` turns −0 into 0 so JSON and equality checks never see a negative zero. */
function round(x: number): number {
  return Math.round(x * 1e4) / 1e4 + 0;
}

/** A difference with its sign, to 4 decimals. */
export function signed(x: number): string {
  return `${x > 0 ? '+' : ''}${x.toFixed(4)}`;
}

/** `[low, high]` to 4 decimals; `[n/a]` for an unknown interval. */
export function formatInterval(ci: Interval | null): string {
  return ci === null ? '[n/a]' : `[${ci[0].toFixed(4)}, ${ci[1].toFixed(4)}]`;
}

/** A plain-text table for a terminal: fixed-width columns, no colours. */
export function renderExperimentReport(report: ExperimentReport): string {
  const variantRows = report.variants.map((v) => [
    v.name,
    String(v.users),
    String(v.lists),
    String(v.clicks),
    String(v.positives),
    `${v.ctr.toFixed(4)} ${formatInterval(v.ctrCi)}`,
    `${v.positiveRate.toFixed(4)} ${formatInterval(v.positiveRateCi)}`,
    v.name === report.control ? '(control)' : `${signed(v.vsControl.diff)} ${formatInterval(v.vsControl.diffCi)}`,
  ]);
  const kindRows = report.variants.flatMap((v) =>
    v.kinds.map((k) => [
      v.name,
      k.kind,
      String(k.slots),
      String(k.clicks),
      String(k.positives),
      `${k.ctr.toFixed(4)} ${formatInterval(k.ctrCi)}`,
      `${k.positiveRate.toFixed(4)} ${formatInterval(k.positiveRateCi)}`,
    ]),
  );
  return [
    `experiment ${report.experiment}  since ${report.since}  control ${report.control}`,
    '',
    ...table(['variant', 'users', 'lists', 'clicks', 'positives', 'CTR [95% CI]', 'positive rate [95% CI]', 'vs control [95% CI]'], variantRows, [1, 2, 3, 4]),
    '',
    report.verdictText,
    '',
    'by reason kind (per slot, Wilson intervals)',
    ...(kindRows.length > 0 ? table(['variant', 'kind', 'slots', 'clicks', 'positives', 'CTR [95% CI]', 'positive rate [95% CI]'], kindRows, [2, 3, 4]) : ['(no slots)']),
  ].join('\n');
}

/** Count columns (`rightAligned`) are padded on the left, text on the right. */
function table(header: string[], rows: string[][], rightAligned: number[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (rightAligned.includes(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
