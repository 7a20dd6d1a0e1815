import { Command, InvalidArgumentError, Option } from 'commander';
import { FOLD_NAMES, type FoldName } from '@coldstart/goodbooks';
import { loadConfig } from './config.js';
import { runEventsValidate } from './commands/events-validate.js';
import { runTopicsParse } from './commands/topics-parse.js';
import { DemoIncompleteError, runDemo } from './commands/demo.js';
import { resolveLlmModel } from './demo/llm-server-model.js';
import { renderReport } from './demo/render-report.js';
import { runBenchEmbed } from './bench/run-bench-embed.js';
import { registerBenchIndexCommand } from './bench/bench-index.js';
import { registerBenchPipelineCommand } from './bench/bench-pipeline.js';
import { registerChaosCommand } from './chaos/chaos-command.js';
import { registerEvalCommand } from './eval/eval-command.js';
import { registerSnapshotCommands } from './snapshot/snapshot-commands.js';
import { stackDown, stackStatus, stackUp } from './stack/stack.js';
import { registerDlqCommands } from './ops/dlq-commands.js';
import { registerJobsCommands } from './ops/jobs-commands.js';
import { registerBenchLlmCommand, registerPlanCommand } from './sizing/sizing-commands.js';
import { registerLlmServerCommand } from './llm-server/llm-server-command.js';

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
};

const program = new Command('coldstart').description('Cold-start recommendations from events: operate the local stack, validate events, run the demo.');

const events = program.command('events').description('the SQS event contract');
events
  .command('validate')
  .description('read JSON lines {"body": "<raw message body>"} on stdin; print {"ok":true,"type"} or {"ok":false,"error"} per line')
  .action(async () => {
    await runEventsValidate(process.stdin, process.stdout);
  });

const topics = program.command('topics').description('LLM "related topics" answers');
topics
  .command('parse')
  .description('read JSON lines {"text": "<raw model output>", "finishReason"?: "stop"|"length"} on stdin; print {"ok":true,"topics"} or {"ok":false,"error"} per line')
  .action(async () => {
    await runTopicsParse(process.stdin, process.stdout);
  });

const stack = program.command('stack').description('the local stack: redis-server, the SQS emulator and every app as its own process');
stack
  .command('up')
  .description('start whatever is not running')
  .action(async () => {
    const result = await stackUp(loadConfig());
    console.log(result.started.length > 0 ? `started: ${result.started.join(', ')}` : 'everything was already running');
  });
stack
  .command('down')
  .description('stop what `stack up` started (apps first, letting them finish in-flight work)')
  .action(async () => {
    for (const c of await stackDown(loadConfig())) console.log(`${c.name.padEnd(18)} ${c.detail} (pid ${c.pid})`);
  });
stack
  .command('status')
  .option('--json', 'machine-readable output')
  .action(async (options: { json?: boolean }) => {
    const statuses = await stackStatus(loadConfig());
    if (options.json) console.log(JSON.stringify(statuses));
    else for (const s of statuses) console.log(`${s.name.padEnd(18)} ${s.state.padEnd(9)} ${s.pid ? `pid ${s.pid}` : ''} ${s.detail ?? ''}`.trimEnd());
  });

program
  .command('demo')
  .description('publish a goodbooks fold\'s catalog and N real users\' signups through SQS; print their recommendations')
  .addOption(new Option('--fold <fold>', 'goodbooks fold').choices(FOLD_NAMES).default('a'))
  .option('--users <n>', 'users with at least 5 ratings to sign up', positiveInt, 50)
  .option('--timeout <seconds>', 'give up waiting after this long', positiveInt, 600)
  .option('--encoder <id>', 'the embed pool\'s encoder (a registry id, e.g. t5-base-fixture); default $ENCODER or wink-glove-100d')
  .option('--llm-base-url <url>', 'expand topics with the LLM at this OpenAI-compatible API root (vLLM, or `coldstart llm-server`); default $LLM_BASE_URL, else the catalog expander')
  .option('--llm-model <id>', 'the model to ask for (default $LLM_MODEL, else the server\'s first model)')
  .option('--expand-processes <n>', 'worker-expand processes to run (default $EXPAND_PROCESSES or 1)', positiveInt)
  .option('--json', 'print {"users": [...], "elapsedMs"} instead of a table')
  .action(async (options: { fold: FoldName; users: number; timeout: number; encoder?: string; llmBaseUrl?: string; llmModel?: string; expandProcesses?: number; json?: boolean }) => {
    const json = options.json ?? false;
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const config = loadConfig();
    if (options.encoder) config.ENCODER = options.encoder;
    if (options.expandProcesses) config.EXPAND_PROCESSES = options.expandProcesses;
    if (options.llmBaseUrl) {
      if (!URL.canParse(options.llmBaseUrl) || !/^https?:$/.test(new URL(options.llmBaseUrl).protocol)) throw new InvalidArgumentError(`--llm-base-url must be an http(s) URL, got ${JSON.stringify(options.llmBaseUrl)}`);
      config.LLM_BASE_URL = options.llmBaseUrl;
    }
    if (options.llmModel) config.LLM_MODEL = options.llmModel;
    if (config.LLM_BASE_URL) config.LLM_MODEL = await resolveLlmModel(config.LLM_BASE_URL, config.LLM_MODEL);
    try {
      const report = await runDemo(config, { fold: options.fold, users: options.users, json, timeoutSeconds: options.timeout }, say);
      console.log(json ? JSON.stringify(report) : renderReport(report));
      say('the stack is still running: `npx coldstart stack down` stops it');
    } catch (error) {
      if (error instanceof DemoIncompleteError && error.report) console.log(json ? JSON.stringify(error.report) : renderReport(error.report));
      throw error;
    }
  });

// Recommendation quality on held-out goodbooks behaviour (tools/cli/src/eval/).
registerEvalCommand(program);

// Vector index snapshots in S3 (tools/cli/src/snapshot/).
registerSnapshotCommands(program, loadConfig);

// Operations: SQS dead-letter queues and failed BullMQ jobs (tools/cli/src/ops/).
registerDlqCommands(program, loadConfig);
registerJobsCommands(program, loadConfig);
// Kill processes, restart Redis, fail the LLM: then check every user and item (tools/cli/src/chaos/).
registerChaosCommand(program, loadConfig);

const bench = program.command('bench').description('benchmarks that print figures measured in one run');
bench
  .command('embed')
  .description('encoder throughput and latency per micro-batch size on the catalog\'s item texts')
  .requiredOption('--encoder <id>', 'a registry encoder id, e.g. t5-base-fixture or wink-glove-100d')
  .option('--batch <sizes>', 'comma-separated batch sizes', (v) => v.split(',').map((n) => positiveInt(n.trim())), [1, 8, 32])
  .option('--texts <n>', 'texts per batch size', positiveInt, 256)
  .option('--threads <n>', 'onnxruntime intra-op threads (default: one per core)', positiveInt)
  .option('--json', 'print {"encoder", "results": [{"batch", "textsPerSec", "p50Ms", "p99Ms"}]}')
  .action(async (options: { encoder: string; batch: number[]; texts: number; threads?: number; json?: boolean }) => {
    const report = await runBenchEmbed(loadConfig(), { encoder: options.encoder, batches: options.batch, texts: options.texts, ...(options.threads ? { threads: options.threads } : {}) });
    if (options.json) {
      console.log(JSON.stringify(report));
      return;
    }
    const base = report.results[0]?.textsPerSec ?? 0;
    console.log(`${report.encoder}: ${report.texts} catalog texts per batch size`);
    for (const r of report.results) {
      console.log(`  batch ${String(r.batch).padStart(4)}  ${r.textsPerSec.toFixed(1).padStart(8)} texts/s (${(r.textsPerSec / base).toFixed(2)}× batch ${report.results[0]?.batch})  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms`);
    }
  });

// Sizing the LLM deployment (tools/cli/src/sizing/): bench llm against an OpenAI-compatible server, then plan.
registerBenchLlmCommand(bench);
// FAISS index: our wrapper against raw faiss-node on the same index and queries (tools/cli/src/bench/bench-index.ts).
registerBenchIndexCommand(bench, loadConfig);
// The pipeline against a sequential baseline, with the expansion cache defeated (tools/cli/src/bench/bench-pipeline.ts).
registerBenchPipelineCommand(bench, loadConfig);
registerPlanCommand(program);

// The local OpenAI-compatible server for tests, the demo and benchmarks (tools/llm-server).
registerLlmServerCommand(program);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`coldstart: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
