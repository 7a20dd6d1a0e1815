import { Option, type Command } from 'commander';
import type { CliConfig } from '../config.js';
import { dlqList, renderDlqSummary } from './dlq-list.js';
import { DLQ_QUEUE_CHOICES, EVENT_TYPE_CHOICES, type DlqQueueChoice } from './dlq-messages.js';
import { dlqPeek, renderPeek } from './dlq-peek.js';
import { dlqPurge, renderPurge, requireYes } from './dlq-purge.js';
import { dlqReplay } from './dlq-replay.js';
import { durationOption, positiveIntOption, rateOption } from './option-parsers.js';

const queueOption = () =>
  new Option('--queue <queue>', 'whose dead-letter queue: user-events (USER_EVENTS_QUEUE) or item-events (ITEM_EVENTS_QUEUE)')
    .choices(DLQ_QUEUE_CHOICES)
    .makeOptionMandatory();

const say = (line: string) => process.stderr.write(`${line}\n`);

/** `coldstart dlq list|peek|replay|purge`: the SQS dead-letter queues (`<source>-dlq`). */
export function registerDlqCommands(program: Command, loadConfig: () => CliConfig): void {
  const dlq = program.command('dlq').description('the SQS dead-letter queues: look, replay to the source queue, purge');

  dlq
    .command('list')
    .description('counts by failure reason and event type, and the oldest first failure (read without consuming)')
    .addOption(queueOption())
    .option('--json', 'machine-readable output')
    .action(async (options: { queue: DlqQueueChoice; json?: boolean }) => {
      const summary = await dlqList(loadConfig(), options.queue);
      console.log(options.json ? JSON.stringify(summary) : renderDlqSummary(summary));
    });

  dlq
    .command('peek')
    .description('bodies with their reason, receive count and first-failure time (read without consuming)')
    .addOption(queueOption())
    .option('--max <n>', 'at most this many messages', positiveIntOption, 10)
    .option('--json', 'machine-readable output')
    .action(async (options: { queue: DlqQueueChoice; max: number; json?: boolean }) => {
      const peek = await dlqPeek(loadConfig(), options.queue, options.max);
      console.log(options.json ? JSON.stringify(peek) : renderPeek(peek));
    });

  dlq
    .command('replay')
    .description('move matching messages back to the source queue (send first, then delete: a crash duplicates, never loses)')
    .addOption(queueOption())
    .addOption(new Option('--type <type>', 'only this event type (unknown: bodies without a readable type)').choices(EVENT_TYPE_CHOICES))
    .option('--reason <text>', 'only messages whose reason contains this text (case-insensitive)')
    .option('--older-than <duration>', 'only messages whose first failure is at least this old (30m, 2h, 7d)', durationOption)
    .option('--max <n>', 'move at most this many messages', positiveIntOption)
    .option('--rate <rate>', 'send at most this many messages per second (5, 5/s, 300/m)', rateOption)
    .option('--dry-run', 'move nothing; report what would move')
    .option('--json', 'print the summary as JSON')
    .action(
      async (options: { queue: DlqQueueChoice; type?: string; reason?: string; olderThan?: number; max?: number; rate?: number; dryRun?: boolean; json?: boolean }) => {
        const result = await dlqReplay(
          loadConfig(),
          options.queue,
          {
            filter: { type: options.type, reason: options.reason, olderThanMs: options.olderThan },
            max: options.max,
            ratePerSecond: options.rate,
            dryRun: options.dryRun,
          },
          { progress: process.stderr, notice: say },
        );
        if (options.json) console.log(JSON.stringify(result));
        else if ('dryRun' in result) {
          for (const m of result.messages) console.log(`${m.messageId}  ${m.eventType}  ${m.firstFailureAt}  ${m.reason}`);
          console.log(`dry run: would move ${result.wouldMove}, skipped ${result.skipped}; nothing was moved`);
        } else console.log(`moved ${result.moved}, skipped ${result.skipped}, failed ${result.failed}`);
        if (result.failed > 0) process.exitCode = 1;
      },
    );

  dlq
    .command('purge')
    .description('delete messages whose first failure is older than --older-than; refuses without --yes')
    .addOption(queueOption())
    .requiredOption('--older-than <duration>', 'first failure at least this old (30m, 2h, 7d)', durationOption)
    .option('--yes', 'really delete')
    .option('--json', 'machine-readable output')
    .action(async (options: { queue: DlqQueueChoice; olderThan: number; yes?: boolean; json?: boolean }) => {
      requireYes(options.yes, `purge the ${options.queue} dead-letter queue`);
      const report = await dlqPurge(loadConfig(), options.queue, options.olderThan);
      console.log(options.json ? JSON.stringify(report) : renderPurge(report));
      if (report.failed > 0) process.exitCode = 1;
    });
}
