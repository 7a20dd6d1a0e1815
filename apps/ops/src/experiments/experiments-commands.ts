import type { Command } from 'commander';
import { attributionSettings } from '@coldstart/config';
import { AttributionStore, buildExperimentReport, renderExperimentReport, type ExperimentReport } from '@coldstart/experiments';
import { createRedis } from '@coldstart/queues';
import { reportAction } from '../command-kit.js';
import type { OpsConfig } from '../config.js';
import { durationOption } from '../option-parsers.js';

export interface ExperimentsReportOptions {
  /** Which experiment (LLM_EXPERIMENT); default: the only one with counts. */
  experiment?: string;
  /** How far back, in ms: lists served from the start of the hour this long ago, with every interaction credited to them. */
  sinceMs: number;
  control?: string;
}

/** The report of `coldstart experiments report`, from the counts the API and the recommend pool keep in Redis. */
export async function readExperimentReport(config: OpsConfig, options: ExperimentsReportOptions, nowMs = Date.now()): Promise<ExperimentReport> {
  const redis = createRedis(config.REDIS_URL, 'producer');
  try {
    const store = new AttributionStore(redis, config.COLDSTART_PREFIX, attributionSettings(config));
    const experiment = options.experiment ?? (await onlyExperiment(store));
    const counts = await store.counts(experiment, nowMs - options.sinceMs, nowMs);
    if (counts.variants.length === 0) throw new Error(`experiment ${JSON.stringify(experiment)} has no lists served since ${counts.since}`);
    return buildExperimentReport(counts, options.control ? { control: options.control } : {});
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

async function onlyExperiment(store: AttributionStore): Promise<string> {
  const experiments = await store.experiments();
  if (experiments.length === 1) return experiments[0]!;
  if (experiments.length === 0) throw new Error('no experiment has counts yet: lists are counted once the API serves them (GET /v1/users/{userId}/recommendations)');
  throw new Error(`several experiments have counts; name one with --experiment: ${experiments.join(', ')}`);
}

/** `coldstart experiments report`: which variant serves better, with intervals and a verdict. */
export function registerExperimentsCommands(program: Command, loadConfig: () => OpsConfig): void {
  const experiments = program.command('experiments').description('A/B tests of the expansion variants (LLM_VARIANTS): what users did with the lists each served');
  const report = experiments
    .command('report')
    .description('per variant: users, lists served, clicks, positive interactions, CTR and positive rate with 95 % intervals, the difference against the control, a verdict; per reason kind too')
    .option('--experiment <name>', 'the experiment (LLM_EXPERIMENT); default: the only one with counts')
    .option('--since <duration>', 'lists served within this long (e.g. 24h, 7d; rounded down to the hour), with what users did with them', durationOption, 30 * 86_400_000)
    .option('--control <variant>', 'the variant the others are compared with (default: "control" if there is one, else the first by name)');
  reportAction<{ experiment?: string; since: number; control?: string; json?: boolean }, ExperimentReport>(
    report,
    (options) =>
      readExperimentReport(loadConfig(), { sinceMs: options.since, ...(options.experiment ? { experiment: options.experiment } : {}), ...(options.control ? { control: options.control } : {}) }),
    renderExperimentReport,
    { jsonHelp: 'print {"experiment", "since", "control", "metric", "variants": [{"name", "users", "lists", "clicks", "positives", "ctr", "ctrCi", "positiveRate", "positiveRateCi", "vsControl": {"diff", "diffCi"}, …}], "verdict", "winner", "usersNeeded", "verdictText"}' },
  );
}
