import type { Command } from 'commander';

/** Parses the command line and runs the command; a failure prints `coldstart: <message>` and exits 1. */
export function runProgram(program: Command): void {
  program.parseAsync().catch((error: unknown) => {
    process.stderr.write(`coldstart: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
