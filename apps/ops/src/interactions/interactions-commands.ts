import { Option, type Command } from 'commander';
import { reportAction } from '../command-kit.js';
import type { OpsConfig } from '../config.js';
import { reportProblem } from '../events/events-commands.js';
import { countLines, numberedLines, openInput } from '../input-lines.js';
import { IMPORT_FORMATS, importFormat, type ImportFormat } from './interaction-rows.js';
import { interactionsImport, renderImport } from './interactions-import.js';

type ImportOptions = { file?: string; format?: ImportFormat; json?: boolean };

/** `coldstart interactions import`: history backfilled into the behaviour model. */
export function registerInteractionsCommands(program: Command, loadConfig: () => OpsConfig): void {
  const importCommand = program
    .command('interactions')
    .description('the behaviour model\'s interactions')
    .command('import')
    .description(
      'backfill interactions through the index pool (worker-index must run): CSV with the header userId,itemId,rating,occurredAt (rating and occurredAt may be empty; no occurredAt: now) or JSON lines of user.interaction bodies; invalid rows are reported on stderr as {"line", "error"} and skipped (exit 1). Importing a file again changes nothing (a row without eventId is keyed by userId, itemId and occurredAt). "imported": rows taken in for the first time (likes, and ratings below the like threshold); "duplicates": rows already in',
    )
    .option('--file <path>', 'read this file instead of stdin')
    .addOption(new Option('--format <format>', 'the input format (default: from the file\'s extension, .csv or .jsonl)').choices(IMPORT_FORMATS));
  const run = async (options: ImportOptions) => {
    const format = importFormat(options.file, options.format);
    const totalLines = options.file === undefined ? undefined : await countLines(options.file);
    return interactionsImport(loadConfig(), numberedLines(openInput(options.file)), { format, totalLines }, { progress: process.stderr, problem: reportProblem });
  };
  reportAction(importCommand, run, renderImport, { jsonHelp: 'print {"imported", "duplicates", "invalid", "likes", "failed"}', failed: (summary) => summary.invalid > 0 || summary.failed > 0 });
}
