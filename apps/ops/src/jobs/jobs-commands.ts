import { Option, type Command } from 'commander';
import type { QueueName } from '@coldstart/pipeline';
import { commandGroup, reportAction } from '../command-kit.js';
import type { OpsConfig } from '../config.js';
import { durationOption, positiveIntOption, requireYes } from '../option-parsers.js';
import { jobsClean, renderClean } from './jobs-clean.js';
import { jobsFailed, renderFailedJobs } from './jobs-failed.js';
import { JOB_QUEUE_CHOICES } from './jobs-queues.js';
import { jobsRetry, renderRetry } from './jobs-retry.js';

const queueOption = () => new Option('--queue <queue>', 'the pool\'s BullMQ queue').choices(JOB_QUEUE_CHOICES).makeOptionMandatory();

type JobsOptions = { queue: QueueName; json?: boolean };
type RetryOptions = JobsOptions & { since?: number; max?: number; wait: number; dryRun?: boolean };

/** `coldstart jobs failed|retry|clean`: BullMQ's failed jobs of the pools. */
export function registerJobsCommands(program: Command, loadConfig: () => OpsConfig): void {
  const subcommand = commandGroup(program, 'jobs', 'failed BullMQ jobs of the pools: group, retry, clean', queueOption);

  const failed = subcommand('failed', 'failed jobs grouped by error message (ids and numbers normalised), with counts and an example job id');
  reportAction(failed, (options: JobsOptions) => jobsFailed(loadConfig(), options.queue), renderFailedJobs);

  const retry = subcommand('retry', 'retry failed jobs; in a flow, failed children first and their parents once the children completed')
    .option('--since <duration>', 'only jobs that failed within this long (30m, 2h, 7d)', durationOption)
    .option('--max <n>', 'at most this many failed jobs of the queue', positiveIntOption)
    .addOption(new Option('--wait <duration>', 'how long to wait for retried children before retrying their parents').argParser(durationOption).default(120_000, '2m'))
    .option('--dry-run', 'retry nothing; show what would be retried');
  const retryJobs = (options: RetryOptions) => jobsRetry(loadConfig(), options.queue, { sinceMs: options.since, max: options.max, dryRun: options.dryRun, waitMs: options.wait });
  reportAction(retry, retryJobs, renderRetry, { failed: (report) => report.failed > 0 });

  const clean = subcommand('clean', 'remove failed jobs that failed more than --older-than ago; refuses without --yes')
    .requiredOption('--older-than <duration>', 'failed at least this long ago (30m, 2h, 7d)', durationOption)
    .option('--yes', 'really remove');
  const cleanConfirmed = (options: JobsOptions & { olderThan: number; yes?: boolean }) => {
    requireYes(options.yes, `remove failed jobs from ${options.queue}`);
    return jobsClean(loadConfig(), options.queue, options.olderThan);
  };
  reportAction(clean, cleanConfirmed, renderClean);
}
