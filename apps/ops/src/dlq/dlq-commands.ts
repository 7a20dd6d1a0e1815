import { Option, type Command } from 'commander';
import { commandGroup, reportAction } from '../command-kit.js';
import type { OpsConfig } from '../config.js';
import { durationOption, positiveIntOption, rateOption, requireYes } from '../option-parsers.js';
import { dlqList, renderDlqSummary } from './dlq-list.js';
import { DLQ_QUEUE_CHOICES, EVENT_TYPE_CHOICES, type DlqQueueChoice } from './dlq-messages.js';
import { dlqPeek, renderPeek } from './dlq-peek.js';
import { dlqPurge, renderPurge } from './dlq-purge.js';
import { dlqReplay, renderReplay } from './dlq-replay.js';

const queueOption = () =>
  new Option('--queue <queue>', 'whose dead-letter queue: user-events (USER_EVENTS_QUEUE) or item-events (ITEM_EVENTS_QUEUE)')
    .choices(DLQ_QUEUE_CHOICES)
    .makeOptionMandatory();

const say = (line: string) => process.stderr.write(`${line}\n`);

type DlqOptions = { queue: DlqQueueChoice; json?: boolean };
type ReplayOptions = DlqOptions & { type?: string; reason?: string; olderThan?: number; max?: number; rate?: number; dryRun?: boolean };

/** `coldstart dlq list|peek|replay|purge`: the SQS dead-letter queues (`<source>-dlq`). */
export function registerDlqCommands(program: Command, loadConfig: () => OpsConfig): void {
  const subcommand = commandGroup(program, 'dlq', 'the SQS dead-letter queues: look, replay to the source queue, purge', queueOption);

  const list = subcommand('list', 'counts by failure reason and event type, and the oldest first failure (read without consuming)');
  reportAction(list, (options: DlqOptions) => dlqList(loadConfig(), options.queue), renderDlqSummary);

  const peek = subcommand('peek', 'bodies with their reason, receive count and first-failure time (read without consuming)').option('--max <n>', 'at most this many messages', positiveIntOption, 10);
  reportAction(peek, (options: DlqOptions & { max: number }) => dlqPeek(loadConfig(), options.queue, options.max), renderPeek);

  const replay = subcommand('replay', 'move matching messages back to the source queue (send first, then delete: a crash duplicates, never loses)')
    .addOption(new Option('--type <type>', 'only this event type (unknown: bodies without a readable type)').choices(EVENT_TYPE_CHOICES))
    .option('--reason <text>', 'only messages whose reason contains this text (case-insensitive)')
    .option('--older-than <duration>', 'only messages whose first failure is at least this old (30m, 2h, 7d)', durationOption)
    .option('--max <n>', 'move at most this many messages', positiveIntOption)
    .option('--rate <rate>', 'send at most this many messages per second (5, 5/s, 300/m)', rateOption)
    .option('--dry-run', 'move nothing; report what would move');
  const replayFilter = (options: ReplayOptions) => ({ type: options.type, reason: options.reason, olderThanMs: options.olderThan });
  reportAction(
    replay,
    (options: ReplayOptions) =>
      dlqReplay(loadConfig(), options.queue, { filter: replayFilter(options), max: options.max, ratePerSecond: options.rate, dryRun: options.dryRun }, { progress: process.stderr, notice: say }),
    renderReplay,
    { jsonHelp: 'print the summary as JSON', failed: (result) => result.failed > 0 },
  );

  const purge = subcommand('purge', 'delete messages whose first failure is older than --older-than; refuses without --yes')
    .requiredOption('--older-than <duration>', 'first failure at least this old (30m, 2h, 7d)', durationOption)
    .option('--yes', 'really delete');
  const purgeConfirmed = (options: DlqOptions & { olderThan: number; yes?: boolean }) => {
    requireYes(options.yes, `purge the ${options.queue} dead-letter queue`);
    return dlqPurge(loadConfig(), options.queue, options.olderThan);
  };
  reportAction(purge, purgeConfirmed, renderPurge, { failed: (report) => report.failed > 0 });
}
