import { Option, type Command } from 'commander';
import { groupCommand, reportAction } from '../command-kit.js';
import type { OpsConfig } from '../config.js';
import { DLQ_QUEUE_CHOICES, type DlqQueueChoice } from '../dlq/dlq-messages.js';
import { countLines, numberedLines, openInput } from '../input-lines.js';
import { rateOption } from '../option-parsers.js';
import { eventsSend, renderSend, type LineProblem } from './events-send.js';

/** A line not sent or not imported: one JSON object a line on stderr, so a script can collect them. */
export const reportProblem = (problem: LineProblem): void => void process.stderr.write(`${JSON.stringify(problem)}\n`);

type SendOptions = { queue: DlqQueueChoice; file?: string; rate?: number; json?: boolean };

/** `coldstart events send`: a producer's events from a file (or stdin) onto the queues. */
export function registerEventsCommands(program: Command, loadConfig: () => OpsConfig): void {
  const send = groupCommand(program, 'events', 'SQS event bodies: send them to the queues')
    .command('send')
    .description(
      'send one event body per line (stdin without --file) with SendMessageBatch; each line is checked first as the ingest checks it, and invalid ones are reported on stderr as {"line", "error"} and not sent (exit 1)',
    )
    .addOption(new Option('--queue <queue>', 'user-events (USER_EVENTS_QUEUE) or item-events (ITEM_EVENTS_QUEUE)').choices(DLQ_QUEUE_CHOICES).makeOptionMandatory())
    .option('--file <path>', 'read this file instead of stdin')
    .option('--rate <rate>', 'send at most this many messages per second (5, 5/s, 300/m)', rateOption);
  const run = async (options: SendOptions) =>
    eventsSend(loadConfig(), options.queue, numberedLines(openInput(options.file)), { ratePerSecond: options.rate, totalLines: options.file === undefined ? undefined : await countLines(options.file) }, {
      progress: process.stderr,
      problem: reportProblem,
    });
  reportAction(send, run, renderSend, { jsonHelp: 'print {"sent", "invalid", "failed"}', failed: (summary) => summary.invalid > 0 || summary.failed > 0 });
}
