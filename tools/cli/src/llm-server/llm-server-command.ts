import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { FOLD_NAMES, type FoldName } from '@coldstart/goodbooks';
import { FaultProfile, startLlmServer } from '@coldstart/llm-server';
import { type Command, Option } from 'commander';
import { numberOption } from '@coldstart/ops';
import { type FaultFlags, mergeFaultFlags } from './fault-options.js';

const port = numberOption('must be a port number, 0–65535 (0: any free port)', { integer: true, min: 0, max: 65_535 });
const milliseconds = numberOption('must be a number of milliseconds, 0 or more', { min: 0 });
const share = numberOption('must be a share between 0 and 1', { min: 0, max: 1 });

/** Repeatable and comma-separated alike: `--model a --model b,c`. */
const modelIds = (value: string, previous: string[] | undefined) => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== ''),
];

async function readFaultFile(file: string): Promise<FaultProfile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`--faults ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = FaultProfile.safeParse(json);
  if (!parsed.success) {
    throw new Error(`--faults ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(profile)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

interface LlmServerCommandOptions extends FaultFlags {
  port: number;
  host: string;
  model?: string[];
  fold: FoldName;
  faults?: string;
  batchEndpoint: boolean;
}

/** `coldstart llm-server`: the local OpenAI-compatible test server, until SIGINT or SIGTERM. */
export function registerLlmServerCommand(program: Command): void {
  program
    .command('llm-server')
    .description(
      'a local OpenAI-compatible server (POST /v1/chat/completions and vLLM\'s /v1/chat/completions/batch, GET /v1/models) for tests, the demo and benchmarks: topics derived deterministically from a goodbooks fold, with injected latency, errors, hangs and malformed outputs. A test instrument, never production',
    )
    .option('--port <n>', 'port to listen on (0: any free port)', port, 8000)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--model <id>', 'a served model id; repeatable or comma-separated (default coldstart-local)', modelIds)
    .addOption(new Option('--fold <fold>', 'the goodbooks fold whose categories make the topics').choices(FOLD_NAMES).default('a'))
    .option('--faults <file>', 'a fault profile (JSON, see tools/llm-server/README.md); the flags below replace the fields they stand for')
    .option('--latency-ms <ms>', 'fixed latency before every answer', milliseconds)
    .option('--error-share <x>', 'share of requests answered 500', share)
    .option('--hang-share <x>', 'share of requests never answered', share)
    .option('--garbage-share <x>', 'share of answers that are not topics at all', share)
    .option('--no-batch-endpoint', 'answer /v1/chat/completions/batch with a 404, as vLLM before 0.26 does')
    .action(async (options: LlmServerCommandOptions) => {
      const file = options.faults === undefined ? {} : await readFaultFile(options.faults);
      const faults = FaultProfile.parse(mergeFaultFlags(file, options));
      const server = await startLlmServer({ port: options.port, host: options.host, fold: options.fold, faults, batchEndpoint: options.batchEndpoint, ...(options.model ? { models: options.model } : {}) });
      console.log(`llm-server listening on ${server.baseUrl}`);
      const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      process.stderr.write(`llm-server: ${String(signal[0] ?? 'signal')}, stopping (${JSON.stringify(server.stats())})\n`);
      await server.close();
    });
}
