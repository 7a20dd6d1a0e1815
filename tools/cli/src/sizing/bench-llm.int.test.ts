import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Book, loadFold } from '@coldstart/goodbooks';
import { type FaultProfileInput, type LlmServer, startLlmServer } from '@coldstart/llm-server';
import OpenAI from 'openai';
import { afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { benchLlm, expandPrompt, type LlmBenchReport } from './bench-llm.js';
import type { PlanReport } from './plan.js';

// ---------------------------------------------------------------------------------------------
// The product's own local OpenAI-compatible server (@coldstart/llm-server), as the sizing issue
// asks: "measurements against the local server with latency profiles must give the same table".
// Its answers are deterministic, so the completion a request gets (and its usage) is known by
// sending the same request to a fault-free server; its fault profile spreads errors evenly, so
// exactly share × N requests fail.
// ---------------------------------------------------------------------------------------------

const MODEL = 'local-llama-3b';

interface LocalServer {
  baseUrl: string;
  /** Every chat-completion body the server received, in arrival order. */
  bodies: unknown[];
  server: LlmServer;
}

let books: Book[];
const servers: LlmServer[] = [];
beforeAll(async () => {
  // Loaded once: every server derives its topics from the same catalog.
  books = (await loadFold('a')).books;
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startLocal(faults: FaultProfileInput, model = MODEL): Promise<LocalServer> {
  const bodies: unknown[] = [];
  const server = await startLlmServer({ fold: books, models: [model], faults, onChatRequest: (body) => bodies.push(body) });
  servers.push(server);
  return { baseUrl: server.baseUrl, bodies, server };
}

/** The completion a fault-free server gives for this request body: what every successful request got. */
async function cleanCompletion(body: unknown): Promise<OpenAI.ChatCompletion> {
  const { baseUrl } = await startLocal({}, (body as { model: string }).model);
  const client = new OpenAI({ baseURL: baseUrl, apiKey: 'x', maxRetries: 0 });
  return client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming);
}

/** Completion tokens by usage, checked to differ from the bench's characters ÷ 4 estimate so the two cannot be confused. */
async function usageTokens(body: unknown): Promise<number> {
  const completion = await cleanCompletion(body);
  const tokens = completion.usage?.completion_tokens ?? 0;
  expect(tokens).toBeGreaterThan(0);
  expect(tokens).not.toBe(Math.ceil((completion.choices[0]?.message.content ?? '').length / 4));
  return tokens;
}

// The built CLI, run asynchronously: the local servers live in this process and must keep answering.
const CLI = fileURLToPath(new URL('../../bin/coldstart.js', import.meta.url));
const PUBLISHED = fileURLToPath(new URL('./published-trn1-llama3b.json', import.meta.url));
const run = promisify(execFile);
const coldstart = async (...args: string[]) => (await run(process.execPath, [CLI, ...args], { maxBuffer: 10_000_000 })).stdout;

describe('coldstart bench llm against an OpenAI-compatible server', () => {
  it('prints the contract JSON; p50 is at least the server latency; throughput rises with concurrency while latency dominates', async () => {
    const server = await startLocal({ latency: { kind: 'fixed', ms: 100 } });
    const out = await coldstart('bench', 'llm', '--base-url', server.baseUrl, '--model', MODEL, '--concurrency', '1,4,16', '--requests', '32', '--prompt-category', 'cozy mysteries', '--json');
    const report = JSON.parse(out) as LlmBenchReport;
    const tokens = await usageTokens(server.bodies[0]);
    expect(report.baseUrl).toBe(server.baseUrl);
    expect(report.model).toBe(MODEL);
    expect(report.results.map((r) => r.concurrency)).toEqual([1, 4, 16]);
    for (const r of report.results) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['concurrency', 'p50Ms', 'p95Ms', 'p99Ms', 'requestsPerSec', 'completionTokensPerSec', 'errorShare']));
      expect(r.errorShare).toBe(0);
      expect(r.p50Ms).toBeGreaterThanOrEqual(100);
      expect(r.p95Ms).toBeGreaterThanOrEqual(r.p50Ms ?? Infinity);
      expect(r.p99Ms).toBeGreaterThanOrEqual(r.p95Ms ?? Infinity);
      // The server's usage.completion_tokens per request, not an estimate.
      expect(r.completionTokensPerSec / r.requestsPerSec).toBeCloseTo(tokens, 1);
      expect(r.tokensEstimated).toBeUndefined();
    }
    const [c1, c4, c16] = report.results.map((r) => r.requestsPerSec) as [number, number, number];
    expect(c1).toBeLessThanOrEqual(10);
    expect(c4).toBeGreaterThan(2.5 * c1);
    expect(c16).toBeGreaterThan(2 * c4);
    // The published prompt, temperature 0, max_tokens 64 (enough for 5 topics), a warm-up and 3 × 32 requests, no retries.
    expect(server.bodies).toHaveLength(1 + 96);
    expect(server.bodies[0]).toMatchObject({
      model: MODEL,
      temperature: 0,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'The user has shown interest in: cozy mysteries.\nSuggest 3–5 related book topics they might enjoy.\nRespond with a JSON list of topic keywords.' }],
    });
  });

  it('counts injected 500s in errorShare without retrying them', async () => {
    // The first request (the bench's uncounted warm-up) succeeds; then 5 of every 20 fail.
    const server = await startLocal({ latency: { kind: 'fixed', ms: 20 }, errors: { 500: 0.25 }, cleanFirst: 1 });
    const report = await benchLlm({ baseUrl: server.baseUrl, model: MODEL, concurrency: [1, 4], requests: 20 });
    expect(server.bodies).toHaveLength(1 + 40);
    expect(server.server.stats()).toEqual({ requests: 41, conversations: 41, byOutcome: { ok: 31, 500: 10 } });
    const tokens = await usageTokens(server.bodies[0]);
    for (const r of report.results) {
      expect(r.errorShare).toBe(0.25);
      expect(r.errors).toEqual({ 500: 5 });
      expect(r.p50Ms).toBeGreaterThanOrEqual(20);
      // Only the 15 successes bring their tokens: 15 × tokens per 20 requests.
      expect(r.completionTokensPerSec / r.requestsPerSec).toBeCloseTo((15 * tokens) / 20, 1);
    }
  });

  it('counts timeouts as errors and estimates tokens (and says so) when the server sends no usage', async () => {
    const slow = await startLocal({ latency: { kind: 'fixed', ms: 300 } }, 'm');
    const timedOut = await benchLlm({ baseUrl: slow.baseUrl, model: 'm', concurrency: [2], requests: 2, timeoutMs: 50 });
    expect(timedOut.results[0]).toMatchObject({ errorShare: 1, errors: { timeout: 2 }, p50Ms: null, completionTokensPerSec: 0 });

    const noUsage = await startLocal({ latency: { kind: 'fixed', ms: 5 }, outputs: { omitUsage: 1 } }, 'm');
    const report = await benchLlm({ baseUrl: noUsage.baseUrl, model: 'm', concurrency: [1], requests: 4 });
    const [r] = report.results;
    expect(r?.tokensEstimated).toBe(true);
    // ceil(characters ÷ 4) tokens per response, not the usage the server would otherwise send.
    const content = (await cleanCompletion(noUsage.bodies[0])).choices[0]?.message.content ?? '';
    expect(content.length).toBeGreaterThan(0);
    expect((r?.completionTokensPerSec ?? 0) / (r?.requestsPerSec ?? 1)).toBeCloseTo(Math.ceil(content.length / 4), 1);
    await usageTokens(noUsage.bodies[0]);
    expect(expandPrompt('x')).toContain('interest in: x.');
  });
});

describe('coldstart plan: measurements against the local server with the published latency profiles give the published table', () => {
  it('one server per TP with its published P50, concurrency 1: same choice (TP 16) and the same table within tolerance', async () => {
    const published = [
      { tp: 2, p50: 2480 },
      { tp: 8, p50: 885 },
      { tp: 16, p50: 645 },
      { tp: 32, p50: 532 },
    ];
    const configs = await Promise.all(
      published.map(async ({ tp, p50 }) => {
        const server = await startLocal({ latency: { kind: 'fixed', ms: p50 } });
        const bench = JSON.parse(await coldstart('bench', 'llm', '--base-url', server.baseUrl, '--model', MODEL, '--concurrency', '1', '--requests', '3', '--json')) as LlmBenchReport;
        return { name: `trn1-tp${tp}`, instance: 'trn1.32xlarge', tensorParallelSize: tp, replicasPerInstance: 32 / tp, bench };
      }),
    );
    const dir = await mkdtemp(join(tmpdir(), 'plan-measured-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const measuredFile = join(dir, 'bench.json');
    await writeFile(measuredFile, JSON.stringify({ configs }));

    const args = ['--users-per-day', '1000000', '--slo-p50-ms', '700', '--json'];
    const measured = JSON.parse(await coldstart('plan', '--bench', measuredFile, ...args)) as PlanReport;
    const expected = JSON.parse(await coldstart('plan', '--bench', PUBLISHED, ...args)) as PlanReport;

    expect(expected.choice).toBe('trn1-tp16');
    expect(measured.choice).toBe(expected.choice);
    expect(measured.configs.map((c) => c.name)).toEqual(expected.configs.map((c) => c.name));
    measured.configs.forEach((m, i) => {
      const e = expected.configs[i];
      if (!e) throw new Error('missing expected config');
      expect(m.meetsSlo).toBe(e.meetsSlo);
      expect(m.concurrency).toBe(e.concurrency);
      // Within tolerance: a measured p50 a few ms above the published one (a loaded machine) may
      // need one instance more out of tens, and costs accordingly.
      if (e.instances === null || e.costPer1000Users === null) throw new Error('the published table sizes every configuration');
      expect(Math.abs((m.instances ?? Infinity) - e.instances)).toBeLessThanOrEqual(Math.max(1, Math.round(e.instances * 0.05)));
      expect(Math.abs((m.costPer1000Users ?? Infinity) - e.costPer1000Users) / e.costPer1000Users).toBeLessThan(0.1);
      expect(m.p50Ms).toBeGreaterThanOrEqual(e.p50Ms ?? Infinity);
      // A few ms of client and server work, and timers that fire late in proportion to their
      // delay on a VM (2026-12-07 on the CI host, idle: setTimeout(2480) fired after 2517 ms, and
      // tp2's p50 measured 2544–2603 in five runs of this test alone).
      expect(m.p50Ms).toBeLessThan((e.p50Ms ?? 0) * 1.03 + 60);
      expect(m.usersPerSecPerInstance).toBeLessThanOrEqual(e.usersPerSecPerInstance);
      expect(m.usersPerSecPerInstance).toBeGreaterThan(e.usersPerSecPerInstance * 0.9);
      if (e.marginalMsPerDollar === null) expect(m.marginalMsPerDollar).toBeNull();
      // A difference of two measured latencies (113 ms between TP 16 and TP 32) over a cost
      // difference: 20 ms of scheduling noise on a loaded 2-core machine is already 18 %.
      else expect(Math.abs((m.marginalMsPerDollar ?? 0) - e.marginalMsPerDollar) / e.marginalMsPerDollar).toBeLessThan(0.25);
    });
    // The human table prints every TP's cost per 1000 users, as the JSON has it.
    const table = await coldstart('plan', '--bench', measuredFile, '--users-per-day', '1000000', '--slo-p50-ms', '700');
    for (const { name, costPer1000Users } of measured.configs) {
      expect(table).toMatch(new RegExp(`^${name}\\s.*\\s${(costPer1000Users ?? NaN).toFixed(4).replace('.', '\\.')}\\s`, 'm'));
    }
    expect(table).toContain('choice: trn1-tp16');
  });
});
