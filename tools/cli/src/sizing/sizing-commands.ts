import { join } from 'node:path';
import type { Command } from 'commander';
import { numberOption, positiveIntListOption, positiveIntOption } from '@coldstart/ops';
import { repoRoot } from '../repo-paths.js';
import { benchLlm, DEFAULT_MAX_TOKENS, DEFAULT_PROMPT_CATEGORY, DEFAULT_TIMEOUT_MS, renderLlmBench } from './bench-llm.js';
import { benchFileSchema, MARGINAL_DEFINITION, planDeployment, priceTableSchema, readJsonFile, renderPlan } from './plan.js';

const positiveNumber = numberOption('must be a positive number', { above: 0 });

/** The shipped price table: AWS on-demand list prices (check them before relying on a plan). */
export const defaultPricesFile = () => join(repoRoot(), 'deploy', 'prices', 'aws-instances.json');

/** `coldstart bench llm`: added to the existing `bench` group. */
export function registerBenchLlmCommand(bench: Command): void {
  bench
    .command('llm')
    .description(
      'closed-loop latency and throughput of an OpenAI-compatible chat-completions server (vLLM, TGI, …) with the expander\'s prompt: per concurrency level, N requests with that many in flight, after one uncounted warm-up request; no retries (failures are counted in errorShare)',
    )
    .requiredOption('--base-url <url>', 'the server\'s OpenAI API base, e.g. http://127.0.0.1:8000/v1 (key: $OPENAI_API_KEY, if set)')
    .requiredOption('--model <id>', 'the served model id (see GET /v1/models)')
    .option('--concurrency <levels>', 'comma-separated requests in flight', positiveIntListOption, [1, 4, 16, 64])
    .requiredOption('--requests <n>', 'requests per concurrency level', positiveIntOption)
    .option('--prompt-category <category>', 'the interest put into the prompt', DEFAULT_PROMPT_CATEGORY)
    .option('--max-tokens <n>', 'max_tokens per completion (enough for a JSON list of 5 topics)', positiveIntOption, DEFAULT_MAX_TOKENS)
    .option('--timeout-ms <ms>', 'per-request timeout; a timed-out request counts as an error', positiveIntOption, DEFAULT_TIMEOUT_MS)
    .option('--json', 'print {"baseUrl", "model", "results": [{"concurrency", "p50Ms", "p95Ms", "p99Ms", "requestsPerSec", "completionTokensPerSec", "errorShare", …}]}')
    .action(
      async (options: { baseUrl: string; model: string; concurrency: number[]; requests: number; promptCategory: string; maxTokens: number; timeoutMs: number; json?: boolean }) => {
        const report = await benchLlm({
          baseUrl: options.baseUrl,
          model: options.model,
          concurrency: options.concurrency,
          requests: options.requests,
          promptCategory: options.promptCategory,
          maxTokens: options.maxTokens,
          timeoutMs: options.timeoutMs,
        });
        console.log(options.json ? JSON.stringify(report) : renderLlmBench(report));
      },
    );
}

/** `coldstart plan`: instances and cost per 1000 users for each measured configuration. */
export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description(
      [
        'size the LLM deployment from bench results: for each configuration, the highest measured concurrency whose p50 meets the SLO',
        '(none: meetsSlo false, figures at its lowest-p50 concurrency), users/s per instance = requestsPerSec × replicasPerInstance × (1 − errorShare) ÷ calls per user,',
        'instances = max(1, ceil(users/day ÷ 86400 × peak factor ÷ users/s per instance)), cost per 1000 users = instances × hourly price × 24 ÷ (users/day ÷ 1000);',
        'choice = the cheapest configuration meeting the SLO (ties: the lower p50).',
        `Marginal latency per dollar, ${MARGINAL_DEFINITION}.`,
      ].join(' '),
    )
    .requiredOption('--bench <file>', 'JSON {"configs": [{"name", "instance", "tensorParallelSize", "replicasPerInstance", "bench": <bench llm --json output>}]}; published figures: tools/cli/src/sizing/published-trn1-llama3b.json')
    .option('--prices <file>', 'price table (default: deploy/prices/aws-instances.json, AWS on-demand list prices: check them)')
    .requiredOption('--users-per-day <n>', 'new users per day', positiveIntOption)
    .requiredOption('--slo-p50-ms <ms>', 'the p50 latency an LLM call must meet', positiveNumber)
    .option(
      '--calls-per-user <n>',
      'LLM calls per new user; the expand pool\'s cache and coalescing of identical prompts bring it below 1 (e.g. 0.3 if 70% of expansions are cache hits)',
      positiveNumber,
      1,
    )
    .option('--peak-factor <x>', 'peak users/s ÷ mean users/s', positiveNumber, 3)
    .option('--json', 'print {"usersPerDay", "sloP50Ms", "peakUsersPerSec", "configs": [{"name", "instance", "tensorParallelSize", "replicasPerInstance", "p50Ms", "meetsSlo", "concurrency", "usersPerSecPerInstance", "instances", "costPer1000Users", "marginalMsPerDollar"}], "choice"}')
    .action(
      async (options: { bench: string; prices?: string; usersPerDay: number; sloP50Ms: number; callsPerUser: number; peakFactor: number; json?: boolean }) => {
        const benchFile = await readJsonFile(options.bench, benchFileSchema, 'bench file');
        const prices = await readJsonFile(options.prices ?? defaultPricesFile(), priceTableSchema, 'price table');
        const report = planDeployment(benchFile, prices, {
          usersPerDay: options.usersPerDay,
          sloP50Ms: options.sloP50Ms,
          callsPerUser: options.callsPerUser,
          peakFactor: options.peakFactor,
        });
        console.log(options.json ? JSON.stringify(report) : renderPlan(report));
      },
    );
}
