import type { Command, Option } from 'commander';

/**
 * `program <name>`, created unless another registrar made it already: the development CLI's
 * `events validate` and the operators' `events send` share one `events` group.
 */
export function groupCommand(program: Command, name: string, description: string): Command {
  return program.commands.find((command) => command.name() === name) ?? program.command(name).description(description);
}

/**
 * `program <name>` and a factory for its subcommands, each of which names its queue (`dlq`,
 * `jobs`) or index (`snapshot`): `sub('list', 'what it does')` is `<name> list --queue …`,
 * ready for more options and `reportAction`.
 */
export function commandGroup(program: Command, name: string, description: string, required: () => Option): (sub: string, subDescription: string) => Command {
  const group = groupCommand(program, name, description);
  return (sub, subDescription) => group.command(sub).description(subDescription).addOption(required());
}

export interface ReportSettings<R> {
  /** The help of `--json`. */
  jsonHelp?: string;
  /** Exit code 1 when some of the work failed. */
  failed?: (report: R) => boolean;
}

/**
 * Finishes `command` as one that computes a report: adds `--json` (last, after its own options)
 * and the action, which prints the report as JSON with `--json`, else as text.
 */
export function reportAction<O extends { json?: boolean }, R>(
  command: Command,
  run: (options: O) => Promise<R>,
  render: (report: R, options: O) => string,
  { jsonHelp = 'machine-readable output', failed = () => false }: ReportSettings<R> = {},
): Command {
  return command.option('--json', jsonHelp).action(async (options: O) => {
    const report = await run(options);
    console.log(options.json ? JSON.stringify(report) : render(report, options));
    if (failed(report)) process.exitCode = 1;
  });
}
