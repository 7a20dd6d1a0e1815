import type { Command, Option } from 'commander';

/**
 * A subcommand factory for a group whose every subcommand names its queue (`dlq`, `jobs`) or
 * index (`snapshot`): `sub('list', 'what it does')` is `group list --queue … `, ready for more
 * options and an action.
 */
export const subcommandsWith =
  (group: Command, required: () => Option) =>
  (name: string, description: string): Command =>
    group.command(name).description(description).addOption(required());

/**
 * The action of a command that computes a report: prints it as JSON with `--json`, else as
 * text, and sets exit code 1 when `failed` says some of the work failed.
 */
export const printReport =
  <O extends { json?: boolean }, R>(run: (options: O) => Promise<R>, render: (report: R, options: O) => string, failed: (report: R) => boolean = () => false) =>
  async (options: O): Promise<void> => {
    const report = await run(options);
    console.log(options.json ? JSON.stringify(report) : render(report, options));
    if (failed(report)) process.exitCode = 1;
  };
