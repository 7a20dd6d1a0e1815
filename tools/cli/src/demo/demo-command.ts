import { InvalidArgumentError, Option, type Command } from 'commander';
import { FOLD_NAMES, type FoldName } from '@coldstart/goodbooks';
import { positiveIntOption } from '@coldstart/ops';
import type { CliConfig } from '../config.js';
import { resolveLlmModel } from './llm-server-model.js';
import { renderReport } from './render-report.js';
import { DemoIncompleteError, runDemo } from './run-demo.js';

interface DemoCommandOptions {
  fold: FoldName;
  users: number;
  timeout: number;
  encoder?: string;
  llmBaseUrl?: string;
  llmModel?: string;
  expandProcesses?: number;
  json?: boolean;
}

/** The settings the flags override, and the LLM model resolved against the server (which proves it answers). */
async function demoConfig(config: CliConfig, options: DemoCommandOptions): Promise<CliConfig> {
  if (options.encoder) config.ENCODER = options.encoder;
  if (options.expandProcesses) config.EXPAND_PROCESSES = options.expandProcesses;
  if (options.llmBaseUrl) {
    if (!URL.canParse(options.llmBaseUrl) || !/^https?:$/.test(new URL(options.llmBaseUrl).protocol)) throw new InvalidArgumentError(`--llm-base-url must be an http(s) URL, got ${JSON.stringify(options.llmBaseUrl)}`);
    config.LLM_BASE_URL = options.llmBaseUrl;
  }
  if (options.llmModel) config.LLM_MODEL = options.llmModel;
  if (config.LLM_BASE_URL) config.LLM_MODEL = await resolveLlmModel(config.LLM_BASE_URL, config.LLM_MODEL);
  return config;
}

/** `coldstart demo`: a goodbooks fold's catalog and real users' signups through the local stack. */
export function registerDemoCommand(program: Command, loadConfig: () => CliConfig): void {
  program
    .command('demo')
    .description('publish a goodbooks fold\'s catalog and N real users\' signups through SQS; print their recommendations')
    .addOption(new Option('--fold <fold>', 'goodbooks fold').choices(FOLD_NAMES).default('a'))
    .option('--users <n>', 'users with at least 5 ratings to sign up', positiveIntOption, 50)
    .option('--timeout <seconds>', 'give up waiting after this long', positiveIntOption, 600)
    .option('--encoder <id>', 'the embed pool\'s encoder (a registry id, e.g. t5-base-fixture); default $ENCODER or wink-glove-100d')
    .option('--llm-base-url <url>', 'expand topics with the LLM at this OpenAI-compatible API root (vLLM, or `coldstart llm-server`); default $LLM_BASE_URL, else the catalog expander')
    .option('--llm-model <id>', 'the model to ask for (default $LLM_MODEL, else the server\'s first model)')
    .option('--expand-processes <n>', 'worker-expand processes to run (default $EXPAND_PROCESSES or 1)', positiveIntOption)
    .option('--json', 'print {"users": [...], "elapsedMs"} instead of a table')
    .action(async (options: DemoCommandOptions) => {
      const json = options.json ?? false;
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const config = await demoConfig(loadConfig(), options);
      try {
        const report = await runDemo(config, { fold: options.fold, users: options.users, json, timeoutSeconds: options.timeout }, say);
        console.log(json ? JSON.stringify(report) : renderReport(report));
        say('the stack is still running: `npx coldstart stack down` stops it');
      } catch (error) {
        if (error instanceof DemoIncompleteError && error.report) console.log(json ? JSON.stringify(error.report) : renderReport(error.report));
        throw error;
      }
    });
}
