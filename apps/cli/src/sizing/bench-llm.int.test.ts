import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { benchLlm, expandPrompt, type LlmBenchReport } from './bench-llm.js';
import type { PlanReport } from './plan.js';

// ---------------------------------------------------------------------------------------------
// Test fixture: an OpenAI-compatible server (not production code). POST /v1/chat/completions
// answers after a fixed latency with a chat.completion and its usage; a configurable share of
// requests (spread evenly, so exactly share × N of them) gets an error status instead.
// ---------------------------------------------------------------------------------------------

const CONTENT = '["space opera", "cyberpunk", "time travel", "first contact"]';

interface FakeServerOptions {
  latencyMs: number;
  errorShare?: number;
  errorStatus?: number;
  /** Answer the very first request successfully and start the error pattern after it. */
  succeedFirst?: boolean;
  /** Leave usage out of the responses (the bench must then estimate tokens). */
  omitUsage?: boolean;
  model?: string;
}

interface FakeServer {
  baseUrl: string;
  bodies: unknown[];
  close: () => Promise<void>;
}

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

async function startFakeOpenAi(options: FakeServerOptions): Promise<FakeServer> {
  const model = options.model ?? 'fake-llama-3b';
  const share = options.errorShare ?? 0;
  const bodies: unknown[] = [];
  let served = 0;
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        send(200, { object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'test' }] });
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        send(404, { error: { message: 'not found', type: 'invalid_request_error' } });
        return;
      }
      bodies.push(JSON.parse(await readBody(req)));
      const n = served++;
      const i = options.succeedFirst ? n - 1 : n;
      const fail = i >= 0 && Math.floor((i + 1) * share) > Math.floor(i * share);
      await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      if (fail) {
        send(options.errorStatus ?? 500, { error: { message: 'injected failure', type: 'server_error' } });
        return;
      }
      const content = CONTENT;
      send(200, {
        id: `chatcmpl-${n}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
        ...(options.omitUsage ? {} : { usage: { prompt_tokens: 40, completion_tokens: 20, total_tokens: 60 } }),
      });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeServer = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

// The built CLI, run asynchronously: the fake servers live in this process and must keep answering.
const CLI = fileURLToPath(new URL('../../bin/coldstart.js', import.meta.url));
const PUBLISHED = fileURLToPath(new URL('./published-trn1-llama3b.json', import.meta.url));
const run = promisify(execFile);
const coldstart = async (...args: string[]) => (await run(process.execPath, [CLI, ...args], { maxBuffer: 10_000_000 })).stdout;

describe('coldstart bench llm against an OpenAI-compatible server', () => {
  it('prints the contract JSON; p50 is at least the server latency; throughput rises with concurrency while latency dominates', async () => {
    const server = await startFakeOpenAi({ latencyMs: 100 });
    const out = await coldstart('bench', 'llm', '--base-url', server.baseUrl, '--model', 'fake-llama-3b', '--concurrency', '1,4,16', '--requests', '32', '--prompt-category', 'cozy mysteries', '--json');
    const report = JSON.parse(out) as LlmBenchReport;
    expect(report.baseUrl).toBe(server.baseUrl);
    expect(report.model).toBe('fake-llama-3b');
    expect(report.results.map((r) => r.concurrency)).toEqual([1, 4, 16]);
    for (const r of report.results) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['concurrency', 'p50Ms', 'p95Ms', 'p99Ms', 'requestsPerSec', 'completionTokensPerSec', 'errorShare']));
      expect(r.errorShare).toBe(0);
      expect(r.p50Ms).toBeGreaterThanOrEqual(100);
      expect(r.p95Ms).toBeGreaterThanOrEqual(r.p50Ms ?? Infinity);
      expect(r.p99Ms).toBeGreaterThanOrEqual(r.p95Ms ?? Infinity);
      // 20 completion tokens per request, from usage.
      expect(r.completionTokensPerSec / r.requestsPerSec).toBeCloseTo(20, 1);
      expect(r.tokensEstimated).toBeUndefined();
    }
    const [c1, c4, c16] = report.results.map((r) => r.requestsPerSec) as [number, number, number];
    expect(c1).toBeLessThanOrEqual(10);
    expect(c4).toBeGreaterThan(2.5 * c1);
    expect(c16).toBeGreaterThan(2 * c4);
    // The published prompt, temperature 0, max_tokens 64 (enough for 5 topics), a warm-up and 3 × 32 requests, no retries.
    expect(server.bodies).toHaveLength(1 + 96);
    expect(server.bodies[0]).toMatchObject({
      model: 'fake-llama-3b',
      temperature: 0,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'The user has shown interest in: cozy mysteries.\nSuggest 3–5 related book topics they might enjoy.\nRespond with a JSON list of topic keywords.' }],
    });
  });

  it('counts injected 500s in errorShare without retrying them', async () => {
    // The first request (the bench's uncounted warm-up) succeeds; then 5 of every 20 fail.
    const server = await startFakeOpenAi({ latencyMs: 20, errorShare: 0.25, errorStatus: 500, succeedFirst: true });
    const report = await benchLlm({ baseUrl: server.baseUrl, model: 'fake-llama-3b', concurrency: [1, 4], requests: 20 });
    expect(server.bodies).toHaveLength(1 + 40);
    for (const r of report.results) {
      expect(r.errorShare).toBe(0.25);
      expect(r.errors).toEqual({ 500: 5 });
      expect(r.p50Ms).toBeGreaterThanOrEqual(20);
      // Only the 15 successes bring 20 tokens each: 15 × 20 tokens per 20 requests.
      expect(r.completionTokensPerSec / r.requestsPerSec).toBeCloseTo((15 * 20) / 20, 1);
    }
  });

  it('counts timeouts as errors and estimates tokens (and says so) when the server sends no usage', async () => {
    const slow = await startFakeOpenAi({ latencyMs: 300 });
    const timedOut = await benchLlm({ baseUrl: slow.baseUrl, model: 'm', concurrency: [2], requests: 2, timeoutMs: 50 });
    expect(timedOut.results[0]).toMatchObject({ errorShare: 1, errors: { timeout: 2 }, p50Ms: null, completionTokensPerSec: 0 });

    const noUsage = await startFakeOpenAi({ latencyMs: 5, omitUsage: true });
    const report = await benchLlm({ baseUrl: noUsage.baseUrl, model: 'm', concurrency: [1], requests: 4 });
    const [r] = report.results;
    expect(r?.tokensEstimated).toBe(true);
    // ceil(characters ÷ 4) tokens per response.
    expect((r?.completionTokensPerSec ?? 0) / (r?.requestsPerSec ?? 1)).toBeCloseTo(Math.ceil(CONTENT.length / 4), 1);
    expect(expandPrompt('x')).toContain('interest in: x.');
  });
});

describe('coldstart plan: measurements against servers with the published latency profiles give the published table', () => {
  it('one server per TP with its published P50, concurrency 1: same choice (TP 16) and the same table within tolerance', async () => {
    const published = [
      { tp: 2, p50: 2480 },
      { tp: 8, p50: 885 },
      { tp: 16, p50: 645 },
      { tp: 32, p50: 532 },
    ];
    const configs = await Promise.all(
      published.map(async ({ tp, p50 }) => {
        const server = await startFakeOpenAi({ latencyMs: p50 });
        const bench = JSON.parse(await coldstart('bench', 'llm', '--base-url', server.baseUrl, '--model', 'fake-llama-3b', '--concurrency', '1', '--requests', '3', '--json')) as LlmBenchReport;
        return { name: `trn1-tp${tp}`, instance: 'trn1.32xlarge', tensorParallelSize: tp, replicasPerInstance: 32 / tp, bench };
      }),
    );
    const dir = await mkdtemp(join(tmpdir(), 'plan-measured-'));
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
      expect(m.instances).toBe(e.instances);
      expect(m.costPer1000Users).toBe(e.costPer1000Users);
      expect(m.p50Ms).toBeGreaterThanOrEqual(e.p50Ms ?? Infinity);
      expect(m.p50Ms).toBeLessThan((e.p50Ms ?? 0) + 60);
      expect(m.usersPerSecPerInstance).toBeLessThanOrEqual(e.usersPerSecPerInstance);
      expect(m.usersPerSecPerInstance).toBeGreaterThan(e.usersPerSecPerInstance * 0.9);
      if (e.marginalMsPerDollar === null) expect(m.marginalMsPerDollar).toBeNull();
      else expect(Math.abs((m.marginalMsPerDollar ?? 0) - e.marginalMsPerDollar) / e.marginalMsPerDollar).toBeLessThan(0.1);
    });
    // The human table prints a cost per 1000 users for every TP.
    const table = await coldstart('plan', '--bench', measuredFile, '--users-per-day', '1000000', '--slo-p50-ms', '700');
    for (const [name, cost] of [['trn1-tp2', '3.0960'], ['trn1-tp8', '4.1280'], ['trn1-tp16', '6.1920'], ['trn1-tp32', '9.8040']]) {
      expect(table).toMatch(new RegExp(`^${name}\\s.*\\s${cost?.replace('.', '\\.')}\\s`, 'm'));
    }
    expect(table).toContain('choice: trn1-tp16');
  });
});
