import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { benchFileSchema, planDeployment, priceTableSchema, readJsonFile, renderPlan, type BenchFile, type PriceTable } from './plan.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const PUBLISHED = here('./published-trn1-llama3b.json');
const PRICES = here('../../../../deploy/prices/aws-instances.json');

const loadPublished = () => readJsonFile(PUBLISHED, benchFileSchema, 'bench file');
const loadPrices = () => readJsonFile(PRICES, priceTableSchema, 'price table');

const prices: PriceTable = {
  currency: 'USD',
  source: 'test',
  updated: '2026-11',
  instances: [
    { instance: 'big', hourlyUsd: 10, acceleratorKind: 'neuron', neuronCores: 8 },
    { instance: 'gpu1', hourlyUsd: 1, acceleratorKind: 'gpu', gpus: 1 },
  ],
};

const result = (concurrency: number, p50Ms: number | null, requestsPerSec: number, errorShare = 0) => ({
  concurrency,
  p50Ms,
  p95Ms: p50Ms,
  p99Ms: p50Ms,
  requestsPerSec,
  completionTokensPerSec: 0,
  errorShare,
});

const config = (name: string, instance: string, tp: number, replicas: number, results: ReturnType<typeof result>[]) => ({
  name,
  instance,
  tensorParallelSize: tp,
  replicasPerInstance: replicas,
  bench: { baseUrl: 'http://x/v1', model: 'm', results },
});

describe('the shipped tables', () => {
  it('price table: every instance the sizing issue names, with its accelerators', async () => {
    const table = await loadPrices();
    const byName = new Map(table.instances.map((i) => [i.instance, i]));
    expect(byName.get('trn1.2xlarge')).toMatchObject({ acceleratorKind: 'neuron', neuronCores: 2, hourlyUsd: 1.34 });
    expect(byName.get('trn1.32xlarge')).toMatchObject({ acceleratorKind: 'neuron', neuronCores: 32, hourlyUsd: 21.5 });
    expect([2, 2, 12, 24]).toEqual(['inf2.xlarge', 'inf2.8xlarge', 'inf2.24xlarge', 'inf2.48xlarge'].map((n) => byName.get(n)?.neuronCores));
    expect([1, 1, 1, 1, 4, 4, 8]).toEqual(['g5.xlarge', 'g5.2xlarge', 'g5.4xlarge', 'g5.8xlarge', 'g5.12xlarge', 'g5.24xlarge', 'g5.48xlarge'].map((n) => byName.get(n)?.gpus));
    expect(table.source).toMatch(/list prices/);
    expect(table.updated).toBe('2026-11');
  });

  it('published figures: four trn1.32xlarge configurations sharing 32 NeuronCores, concurrency 1, requestsPerSec = 1000 / p50', async () => {
    const file = await loadPublished();
    expect(file.configs.map((c) => [c.tensorParallelSize, c.replicasPerInstance, c.bench.results[0]?.p50Ms])).toEqual([
      [2, 16, 2480],
      [8, 4, 885],
      [16, 2, 645],
      [32, 1, 532],
    ]);
    for (const c of file.configs) {
      expect(c.bench.results).toHaveLength(1);
      const r = c.bench.results[0];
      expect(r?.concurrency).toBe(1);
      expect(r?.requestsPerSec).toBeCloseTo(1000 / (r?.p50Ms ?? NaN), 5);
    }
  });
});

describe('plan on the published trn1 figures (3B Llama, vLLM)', () => {
  it('with a p50 SLO of 700 ms chooses TP 16, with the costs of a hand calculation', async () => {
    const report = planDeployment(await loadPublished(), await loadPrices(), { usersPerDay: 1_000_000, sloP50Ms: 700 });
    // Peak: 1e6 users/day ÷ 86400 s × 3 = 34.722 users/s.
    expect(report.peakUsersPerSec).toBeCloseTo(34.7222, 3);
    // users/s per instance = (1000 / p50) × (32 / TP):
    //   TP 2: 0.40323 × 16 = 6.452 → ceil(34.722 / 6.452) = ceil(5.38)  = 6 instances
    //   TP 8: 1.12994 × 4  = 4.520 → ceil(7.68)  = 8
    //   TP 16: 1.55039 × 2 = 3.101 → ceil(11.20) = 12
    //   TP 32: 1.87970 × 1 = 1.880 → ceil(18.47) = 19
    // cost per 1000 users = instances × 21.50 USD/h × 24 h ÷ (1e6 / 1000) = instances × 0.516
    expect(report.configs.map((c) => [c.name, c.tensorParallelSize, c.p50Ms, c.meetsSlo, c.instances])).toEqual([
      ['trn1-tp2', 2, 2480, false, 6],
      ['trn1-tp8', 8, 885, false, 8],
      ['trn1-tp16', 16, 645, true, 12],
      ['trn1-tp32', 32, 532, true, 19],
    ]);
    const costs = report.configs.map((c) => c.costPer1000Users ?? NaN);
    [3.096, 4.128, 6.192, 9.804].forEach((expected, i) => expect(costs[i]).toBeCloseTo(expected, 4));
    expect(report.configs.map((c) => c.usersPerSecPerInstance)).toEqual([6.4516, 4.5198, 3.1008, 1.8797]);
    // Marginal: (p50 of the cheaper − p50 of the dearer) ÷ (cost difference).
    const marginal = report.configs.map((c) => c.marginalMsPerDollar);
    expect(marginal[0]).toBeNull();
    expect(marginal[1]).toBeCloseTo((2480 - 885) / (4.128 - 3.096), 1);
    expect(marginal[2]).toBeCloseTo((885 - 645) / (6.192 - 4.128), 1);
    expect(marginal[3]).toBeCloseTo((645 - 532) / (9.804 - 6.192), 1);
    expect(report.choice).toBe('trn1-tp16');

    const table = renderPlan(report);
    for (const [name, cost] of [['trn1-tp2', '3.0960'], ['trn1-tp8', '4.1280'], ['trn1-tp16', '6.1920'], ['trn1-tp32', '9.8040']] as const) {
      expect(table).toMatch(new RegExp(`^${name}\\s.*\\s${cost.replace('.', '\\.')}\\s`, 'm'));
    }
    expect(table).toContain('choice: trn1-tp16');
  });

  it('at low traffic every TP needs one instance: equal costs, so the lower p50 (TP 32) wins and no marginal is defined', async () => {
    const report = planDeployment(await loadPublished(), await loadPrices(), { usersPerDay: 10_000, sloP50Ms: 700 });
    expect(report.configs.every((c) => c.instances === 1 && c.costPer1000Users === 51.6 && c.marginalMsPerDollar === null)).toBe(true);
    expect(report.choice).toBe('trn1-tp32');
  });

  it('no configuration meets a 500 ms SLO: choice null, every configuration still costed at its best p50', async () => {
    const report = planDeployment(await loadPublished(), await loadPrices(), { usersPerDay: 1_000_000, sloP50Ms: 500 });
    expect(report.choice).toBeNull();
    expect(report.configs.every((c) => !c.meetsSlo && c.costPer1000Users !== null)).toBe(true);
    expect(renderPlan(report)).toContain('choice: none');
  });
});

describe('planDeployment', () => {
  it('takes the highest concurrency whose p50 meets the SLO and discounts errors and calls per user', () => {
    const file: BenchFile = {
      configs: [config('a', 'big', 2, 4, [result(1, 100, 10), result(4, 200, 30, 0.1), result(16, 900, 60)])],
    };
    const report = planDeployment(file, prices, { usersPerDay: 864_000, sloP50Ms: 250, callsPerUser: 0.5, peakFactor: 2 });
    const [a] = report.configs;
    // peak = 864000 / 86400 × 2 = 20 users/s; per instance = 30 × 4 × 0.9 ÷ 0.5 = 216 → 1 instance.
    expect(report.peakUsersPerSec).toBe(20);
    expect(a).toMatchObject({ concurrency: 4, p50Ms: 200, meetsSlo: true, usersPerSecPerInstance: 216, instances: 1 });
    // 1 × 10 USD/h × 24 ÷ 864 = 0.2778
    expect(a?.costPer1000Users).toBeCloseTo(0.2778, 4);
    expect(report.choice).toBe('a');
  });

  it('orders by cost, breaks cost ties by the lower p50, and leaves configurations that serve nobody uncosted at the end', () => {
    const file: BenchFile = {
      configs: [
        config('dead', 'gpu1', 1, 1, [result(1, null, 5, 1)]),
        config('slow', 'gpu1', 1, 1, [result(1, 300, 5)]),
        config('fast', 'gpu1', 1, 1, [result(1, 200, 5)]),
        config('big', 'big', 2, 4, [result(1, 100, 5)]),
      ],
    };
    const report = planDeployment(file, prices, { usersPerDay: 1000, sloP50Ms: 400 });
    expect(report.configs.map((c) => c.name)).toEqual(['slow', 'fast', 'big', 'dead']);
    expect(report.configs.map((c) => c.marginalMsPerDollar)).toEqual([null, null, Number(((200 - 100) / (240 - 24)).toFixed(2)), null]);
    expect(report.configs[3]).toMatchObject({ p50Ms: null, meetsSlo: false, concurrency: null, usersPerSecPerInstance: 0, instances: null, costPer1000Users: null });
    expect(report.choice).toBe('fast');
  });

  it('refuses an instance missing from the price table and more accelerators than the instance has', () => {
    expect(() => planDeployment({ configs: [config('x', 'p5.48xlarge', 1, 1, [result(1, 1, 1)])] }, prices, { usersPerDay: 1, sloP50Ms: 1 })).toThrow(
      /instance p5\.48xlarge is not in the price table \(it has big, gpu1\)/,
    );
    expect(() => planDeployment({ configs: [config('x', 'big', 4, 4, [result(1, 1, 1)])] }, prices, { usersPerDay: 1, sloP50Ms: 1 })).toThrow(
      /4 replicas × tensor parallel 4 need 16 NeuronCores, but big has 8/,
    );
  });
});

describe('readJsonFile', () => {
  it('names the file and every invalid path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plan-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const bad = join(dir, 'bench.json');
    await writeFile(bad, JSON.stringify({ configs: [config('x', 'big', 0, 1, []), config('x', 'big', 1, 1, [result(1, 1, 1)])] }));
    const error = await readJsonFile(bad, benchFileSchema, 'bench file').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`bench file ${bad} is not valid`);
    expect(message).toContain('configs[0].tensorParallelSize');
    expect(message).toContain('configs[0].bench.results');
    await writeFile(bad, '{');
    await expect(readJsonFile(bad, benchFileSchema, 'bench file')).rejects.toThrow(/is not valid JSON/);
    await expect(readJsonFile(join(dir, 'missing.json'), benchFileSchema, 'bench file')).rejects.toThrow(/cannot read bench file/);
  });
});
