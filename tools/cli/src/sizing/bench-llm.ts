import OpenAI, { APIConnectionTimeoutError, APIError } from 'openai';
import { PUBLISHED_PROMPT } from '@coldstart/llm';
import { percentile } from '@coldstart/runtime';

/** The expander's published prompt for one category: what the bench sends. */
export const expandPrompt = (category: string) => PUBLISHED_PROMPT.replace('{category}', category);

/** Enough for a JSON list of 5 short topic keywords. */
export const DEFAULT_MAX_TOKENS = 64;
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_PROMPT_CATEGORY = 'science fiction';

export interface LlmBenchOptions {
  baseUrl: string;
  model: string;
  concurrency: readonly number[];
  /** Requests per concurrency level. */
  requests: number;
  promptCategory?: string;
  maxTokens?: number;
  timeoutMs?: number;
  apiKey?: string;
}

export interface LlmBenchResult {
  concurrency: number;
  /** Latency percentiles of the successful requests (null when none succeeded). */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Every request of the level (failed ones included) ÷ the level's wall-clock time. */
  requestsPerSec: number;
  /** Completion tokens of the successful requests ÷ the level's wall-clock time. */
  completionTokensPerSec: number;
  /** Failed requests ÷ requests. */
  errorShare: number;
  requests: number;
  /** Failures by HTTP status, or "timeout" / "connection" / "other". */
  errors: Record<string, number>;
  /** Present (true) only when some response had no usage.completion_tokens and its tokens were estimated as characters ÷ 4. */
  tokensEstimated?: true;
}

export interface LlmBenchReport {
  baseUrl: string;
  model: string;
  results: LlmBenchResult[];
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function errorKind(error: unknown): string {
  if (error instanceof APIConnectionTimeoutError) return 'timeout';
  if (error instanceof APIError) return error.status === undefined ? 'connection' : String(error.status);
  return 'other';
}

/**
 * Closed-loop load on an OpenAI-compatible chat-completions endpoint (vLLM, TGI, …): for each
 * concurrency level c, c workers each send the next of N requests as soon as their previous
 * one finished, so c requests are in flight until fewer than c remain. The SDK retries nothing
 * (maxRetries 0): a failed request is data, counted in errorShare. One warm-up request, counted
 * nowhere, goes first.
 */
export async function benchLlm(options: LlmBenchOptions): Promise<LlmBenchReport> {
  const client = new OpenAI({
    baseURL: options.baseUrl,
    apiKey: options.apiKey ?? process.env.OPENAI_API_KEY ?? 'unused',
    maxRetries: 0,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const content = expandPrompt(options.promptCategory ?? DEFAULT_PROMPT_CATEGORY);
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const request = () =>
    client.chat.completions.create({
      model: options.model,
      messages: [{ role: 'user', content }],
      max_tokens: maxTokens,
      temperature: 0,
    });
  const results: LlmBenchResult[] = [];

  // One uncounted warm-up request (connection set-up, the SDK's lazy loading: ~40 ms on the first
  // request otherwise, which a short run at concurrency 1 would fold into its throughput). Its
  // failure is not an error of any level.
  await request().catch(() => undefined);

  for (const concurrency of options.concurrency) {
    const latencies: number[] = [];
    const errors: Record<string, number> = {};
    let completionTokens = 0;
    let estimated = false;
    let next = 0;
    const worker = async () => {
      while (next < options.requests) {
        next++;
        const t0 = performance.now();
        try {
          const completion = await request();
          latencies.push(performance.now() - t0);
          const tokens = completion.usage?.completion_tokens;
          if (typeof tokens === 'number') completionTokens += tokens;
          else {
            estimated = true;
            const text = completion.choices.map((c) => c.message.content ?? '').join('');
            completionTokens += Math.ceil(text.length / 4);
          }
        } catch (error) {
          const kind = errorKind(error);
          errors[kind] = (errors[kind] ?? 0) + 1;
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: Math.min(concurrency, options.requests) }, worker));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (p: number) => {
      const v = percentile(latencies, p);
      return v === null ? null : round(v, 1);
    };
    results.push({
      concurrency,
      p50Ms: at(50),
      p95Ms: at(95),
      p99Ms: at(99),
      requestsPerSec: round(options.requests / seconds, 3),
      completionTokensPerSec: round(completionTokens / seconds, 1),
      errorShare: round((options.requests - latencies.length) / options.requests, 4),
      requests: options.requests,
      errors,
      ...(estimated ? { tokensEstimated: true as const } : {}),
    });
  }
  return { baseUrl: options.baseUrl, model: options.model, results };
}

export function renderLlmBench(report: LlmBenchReport): string {
  const ms = (v: number | null) => (v === null ? '—' : v.toFixed(0)).padStart(7);
  const lines = [
    `${report.model} at ${report.baseUrl}`,
    `  ${'conc'.padStart(5)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'req/s'.padStart(8)} ${'tok/s'.padStart(8)} ${'errors'.padStart(7)}`,
  ];
  for (const r of report.results) {
    lines.push(
      `  ${String(r.concurrency).padStart(5)} ${ms(r.p50Ms)} ${ms(r.p95Ms)} ${ms(r.p99Ms)} ${r.requestsPerSec.toFixed(2).padStart(8)} ${(r.completionTokensPerSec.toFixed(1) + (r.tokensEstimated ? '*' : '')).padStart(8)} ${`${(r.errorShare * 100).toFixed(1)}%`.padStart(7)}`,
    );
  }
  if (report.results.some((r) => r.tokensEstimated)) lines.push('  * some responses had no usage: their completion tokens are estimated as characters ÷ 4');
  return lines.join('\n');
}
