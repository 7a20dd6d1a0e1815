import { readFile } from 'node:fs/promises';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Inputs: the bench FILE (configurations with a `bench llm` report each) and the price table.
// ---------------------------------------------------------------------------------------------

const benchResultSchema = z.object({
  concurrency: z.number().int().positive(),
  p50Ms: z.number().nonnegative().nullable(),
  p95Ms: z.number().nonnegative().nullable(),
  p99Ms: z.number().nonnegative().nullable(),
  requestsPerSec: z.number().nonnegative(),
  completionTokensPerSec: z.number().nonnegative(),
  errorShare: z.number().min(0).max(1),
});

const benchReportSchema = z.object({
  baseUrl: z.string(),
  model: z.string(),
  results: z.array(benchResultSchema).min(1, 'a bench needs at least one result'),
});

const benchConfigSchema = z.object({
  name: z.string().min(1),
  instance: z.string().min(1),
  tensorParallelSize: z.number().int().positive(),
  replicasPerInstance: z.number().int().positive(),
  bench: benchReportSchema,
});

export const benchFileSchema = z
  .object({ configs: z.array(benchConfigSchema).min(1, 'at least one configuration is needed') })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.configs.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', message: `configuration name "${c.name}" is used twice`, path: ['configs', i, 'name'] });
      seen.add(c.name);
    });
  });

export type BenchFile = z.infer<typeof benchFileSchema>;
export type BenchConfig = z.infer<typeof benchConfigSchema>;

const instancePriceSchema = z
  .object({
    instance: z.string().min(1),
    hourlyUsd: z.number().positive(),
    acceleratorKind: z.enum(['neuron', 'gpu']),
    neuronCores: z.number().int().positive().optional(),
    gpus: z.number().int().positive().optional(),
    note: z.string().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.acceleratorKind === 'neuron' && p.neuronCores === undefined) ctx.addIssue({ code: 'custom', message: 'a neuron instance needs neuronCores', path: ['neuronCores'] });
    if (p.acceleratorKind === 'gpu' && p.gpus === undefined) ctx.addIssue({ code: 'custom', message: 'a gpu instance needs gpus', path: ['gpus'] });
  });

export const priceTableSchema = z.object({
  currency: z.string().min(1),
  source: z.string(),
  updated: z.string(),
  instances: z.array(instancePriceSchema).min(1),
});

export type PriceTable = z.infer<typeof priceTableSchema>;
export type InstancePrice = z.infer<typeof instancePriceSchema>;

/** Reads and validates a JSON file; every problem is reported with the file and the JSON path. */
export async function readJsonFile<S extends z.ZodType>(file: string, schema: S, what: string): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${what} ${file} is not valid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// The plan.
// ---------------------------------------------------------------------------------------------

export interface PlanOptions {
  usersPerDay: number;
  sloP50Ms: number;
  /** LLM calls per new user; the expand pool's cache and request coalescing bring it below 1. Default 1. */
  callsPerUser?: number;
  /** Peak users/s ÷ mean users/s. Default 3. */
  peakFactor?: number;
}

export interface PlannedConfig {
  name: string;
  instance: string;
  tensorParallelSize: number;
  replicasPerInstance: number;
  /** p50 at the chosen concurrency (null: no request of the bench succeeded). */
  p50Ms: number | null;
  meetsSlo: boolean;
  /** The highest measured concurrency whose p50 meets the SLO; when none does, the one with the lowest p50. */
  concurrency: number | null;
  usersPerSecPerInstance: number;
  /** null: the configuration serves nobody (every request failed). */
  instances: number | null;
  costPer1000Users: number | null;
  /** (p50 of the next cheaper configuration − this p50) ÷ (this cost − its cost), in ms per USD per 1000 users; null for the cheapest or on equal costs. */
  marginalMsPerDollar: number | null;
  hourlyUsd: number;
}

export interface PlanReport {
  usersPerDay: number;
  sloP50Ms: number;
  peakUsersPerSec: number;
  callsPerUser: number;
  peakFactor: number;
  currency: string;
  pricesUpdated: string;
  /** Cheapest first (by costPer1000Users); configurations without a cost last. */
  configs: PlannedConfig[];
  /** The cheapest configuration that meets the SLO (ties: the lower p50); null when none does. */
  choice: string | null;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function acceleratorsOf(price: InstancePrice): number {
  return (price.acceleratorKind === 'neuron' ? price.neuronCores : price.gpus) ?? 0;
}

export function planDeployment(benchFile: BenchFile, prices: PriceTable, options: PlanOptions): PlanReport {
  const callsPerUser = options.callsPerUser ?? 1;
  const peakFactor = options.peakFactor ?? 3;
  if (!(options.usersPerDay > 0)) throw new Error('users per day must be positive');
  if (!(options.sloP50Ms > 0)) throw new Error('the p50 SLO must be positive');
  if (!(callsPerUser > 0)) throw new Error('calls per user must be positive');
  if (!(peakFactor > 0)) throw new Error('the peak factor must be positive');
  const peakUsersPerSec = (options.usersPerDay / 86_400) * peakFactor;

  const rows = benchFile.configs.map((config) => {
    const price = prices.instances.find((p) => p.instance === config.instance);
    if (!price) throw new Error(`configuration "${config.name}": instance ${config.instance} is not in the price table (it has ${prices.instances.map((p) => p.instance).join(', ')})`);
    const needed = config.tensorParallelSize * config.replicasPerInstance;
    const available = acceleratorsOf(price);
    if (needed > available) {
      const unit = price.acceleratorKind === 'neuron' ? 'NeuronCores' : 'GPUs';
      throw new Error(`configuration "${config.name}": ${config.replicasPerInstance} replicas × tensor parallel ${config.tensorParallelSize} need ${needed} ${unit}, but ${config.instance} has ${available}`);
    }

    const measured = config.bench.results.filter((r): r is typeof r & { p50Ms: number } => r.p50Ms !== null);
    const meeting = measured.filter((r) => r.p50Ms <= options.sloP50Ms);
    const level =
      meeting.length > 0
        ? meeting.reduce((best, r) => (r.concurrency > best.concurrency ? r : best))
        : measured.reduce<(typeof measured)[number] | undefined>((best, r) => (!best || r.p50Ms < best.p50Ms || (r.p50Ms === best.p50Ms && r.concurrency > best.concurrency) ? r : best), undefined);
    const usersPerSecPerInstance = level ? (level.requestsPerSec * config.replicasPerInstance * (1 - level.errorShare)) / callsPerUser : 0;
    const instances = usersPerSecPerInstance > 0 ? Math.max(1, Math.ceil(peakUsersPerSec / usersPerSecPerInstance)) : null;
    const cost = instances === null ? null : (instances * price.hourlyUsd * 24) / (options.usersPerDay / 1000);
    return { config, price, level, meetsSlo: meeting.length > 0, usersPerSecPerInstance, instances, cost, index: benchFile.configs.indexOf(config) };
  });

  const costed = rows
    .filter((r): r is typeof r & { cost: number; level: NonNullable<typeof r.level> } => r.cost !== null && r.level !== undefined)
    .sort((a, b) => a.cost - b.cost || b.level.p50Ms - a.level.p50Ms || a.index - b.index);
  const marginal = new Map<string, number>();
  for (let i = 1; i < costed.length; i++) {
    const cheaper = costed[i - 1];
    const dearer = costed[i];
    if (!cheaper || !dearer) continue;
    const dollars = dearer.cost - cheaper.cost;
    if (dollars > 0) marginal.set(dearer.config.name, (cheaper.level.p50Ms - dearer.level.p50Ms) / dollars);
  }
  const ordered = [...costed, ...rows.filter((r) => !costed.includes(r as (typeof costed)[number]))];

  const choice = costed
    .filter((r) => r.meetsSlo)
    .reduce<(typeof costed)[number] | undefined>((best, r) => (!best || r.cost < best.cost || (r.cost === best.cost && r.level.p50Ms < best.level.p50Ms) ? r : best), undefined);

  return {
    usersPerDay: options.usersPerDay,
    sloP50Ms: options.sloP50Ms,
    peakUsersPerSec: round(peakUsersPerSec, 4),
    callsPerUser,
    peakFactor,
    currency: prices.currency,
    pricesUpdated: prices.updated,
    configs: ordered.map((r) => {
      const m = marginal.get(r.config.name);
      return {
        name: r.config.name,
        instance: r.config.instance,
        tensorParallelSize: r.config.tensorParallelSize,
        replicasPerInstance: r.config.replicasPerInstance,
        p50Ms: r.level?.p50Ms ?? null,
        meetsSlo: r.meetsSlo,
        concurrency: r.level?.concurrency ?? null,
        usersPerSecPerInstance: round(r.usersPerSecPerInstance, 4),
        instances: r.instances,
        costPer1000Users: r.cost === null ? null : round(r.cost, 4),
        marginalMsPerDollar: m === undefined ? null : round(m, 2),
        hourlyUsd: r.price.hourlyUsd,
      };
    }),
    choice: choice?.config.name ?? null,
  };
}

export const MARGINAL_DEFINITION =
  'ms per USD/1000 users: with the configurations sorted by cost per 1000 users, (p50 of the next cheaper one − this p50) ÷ (this cost per 1000 users − its cost per 1000 users): the p50 milliseconds each extra USD per 1000 users buys; none (—) for the cheapest configuration or when the costs are equal';

export function renderPlan(report: PlanReport): string {
  const lines = [
    `${report.usersPerDay} users/day → peak ${report.peakUsersPerSec.toFixed(2)} users/s (× ${report.peakFactor} peak factor, ${report.callsPerUser} LLM call(s) per user); SLO p50 ≤ ${report.sloP50Ms} ms; ${report.currency} on-demand list prices of ${report.pricesUpdated}`,
  ];
  const header = ['config', 'instance', 'TP', 'repl', 'conc', 'p50 ms', 'SLO', 'users/s/inst', 'inst', `${report.currency}/1000 users`, 'ms per USD/1000'];
  const body = report.configs.map((c) => [
    c.name,
    c.instance,
    String(c.tensorParallelSize),
    String(c.replicasPerInstance),
    c.concurrency === null ? '—' : String(c.concurrency),
    c.p50Ms === null ? '—' : c.p50Ms.toFixed(0),
    c.meetsSlo ? 'yes' : 'no',
    c.usersPerSecPerInstance.toFixed(3),
    c.instances === null ? '—' : String(c.instances),
    c.costPer1000Users === null ? '—' : c.costPer1000Users.toFixed(4),
    c.marginalMsPerDollar === null ? '—' : c.marginalMsPerDollar.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const format = (row: string[]) =>
    row
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  lines.push(format(header), ...body.map(format));
  lines.push(report.choice === null ? `choice: none — no configuration meets p50 ≤ ${report.sloP50Ms} ms` : `choice: ${report.choice} (the cheapest configuration meeting p50 ≤ ${report.sloP50Ms} ms)`);
  lines.push(MARGINAL_DEFINITION);
  return lines.join('\n');
}
