import { Option, type Command } from 'commander';
import { type QueueName } from '@coldstart/pipeline';
import type { CliConfig } from '../config.js';
import { requireYes } from './dlq-purge.js';
import { jobsClean, renderClean } from './jobs-clean.js';
import { jobsFailed, renderFailedJobs } from './jobs-failed.js';
import { JOB_QUEUE_CHOICES } from './jobs-queues.js';
import { jobsRetry, renderRetry } from './jobs-retry.js';
import { durationOption, positiveIntOption } from './option-parsers.js';

const queueOption = () => new Option('--queue <queue>', 'the pool\'s BullMQ queue').choices(JOB_QUEUE_CHOICES).makeOptionMandatory();

/** `coldstart jobs failed|retry|clean`: BullMQ's failed jobs of the pools. */
export function registerJobsCommands(program: Command, loadConfig: () => CliConfig): void {
  const jobs = program.command('jobs').description('failed BullMQ jobs of the pools: group, retry, clean');

  jobs
    .command('failed')
    .description('failed jobs grouped by error message (ids and numbers normalised), with counts and an example job id')
    .addOption(queueOption())
    .option('--json', 'machine-readable output')
    .action(async (options: { queue: QueueName; json?: boolean }) => {
      const report = await jobsFailed(loadConfig(), options.queue);
      console.log(options.json ? JSON.stringify(report) : renderFailedJobs(report));
    });

  jobs
    .command('retry')
    .description('retry failed jobs; in a flow, failed children first and their parents once the children completed')
    .addOption(queueOption())
    .option('--since <duration>', 'only jobs that failed within this long (30m, 2h, 7d)', durationOption)
    .option('--max <n>', 'at most this many failed jobs of the queue', positiveIntOption)
    .addOption(new Option('--wait <duration>', 'how long to wait for retried children before retrying their parents').argParser(durationOption).default(120_000, '2m'))
    .option('--dry-run', 'retry nothing; show what would be retried')
    .option('--json', 'machine-readable output')
    .action(async (options: { queue: QueueName; since?: number; max?: number; wait: number; dryRun?: boolean; json?: boolean }) => {
      const report = await jobsRetry(loadConfig(), options.queue, { sinceMs: options.since, max: options.max, dryRun: options.dryRun, waitMs: options.wait });
      console.log(options.json ? JSON.stringify(report) : renderRetry(report));
      if (report.failed > 0) process.exitCode = 1;
    });

  jobs
    .command('clean')
    .description('remove failed jobs that failed more than --older-than ago; refuses without --yes')
    .addOption(queueOption())
    .requiredOption('--older-than <duration>', 'failed at least this long ago (30m, 2h, 7d)', durationOption)
    .option('--yes', 'really remove')
    .option('--json', 'machine-readable output')
    .action(async (options: { queue: QueueName; olderThan: number; yes?: boolean; json?: boolean }) => {
      requireYes(options.yes, `remove failed jobs from ${options.queue}`);
      const report = await jobsClean(loadConfig(), options.queue, options.olderThan);
      console.log(options.json ? JSON.stringify(report) : renderClean(report));
    });
}
