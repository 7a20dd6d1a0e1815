import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const DIST = join(ROOT, 'tools', 'cli', 'dist');

/** A CLI command as its register function adds it: `register(parent, loadConfig)` from `module` (relative to tools/cli/dist). */
export interface CliCommandSpec {
  module: string;
  register: string;
  /** The group the command joins (`bench`), or the program itself. */
  group?: string;
}

/**
 * Runs one `coldstart` command in a process of its own, because the commands tested this way
 * start (and some SIGKILL) whole stacks: their own redis-server, SQS emulator, prefix and state
 * dir, so the test process and the machine's shared Redis are never touched.
 */
export async function runCliCommand(spec: CliCommandSpec, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const parent = spec.group === undefined ? 'program' : `program.command(${JSON.stringify(spec.group)})`;
  const entry = `
    import { Command } from 'commander';
    import { ${spec.register} } from ${JSON.stringify(join(DIST, spec.module))};
    import { loadConfig } from ${JSON.stringify(join(DIST, 'config.js'))};
    const program = new Command('coldstart');
    ${spec.register}(${parent}, loadConfig);
    await program.parseAsync(['node', 'coldstart', ...process.argv.slice(1)]);
  `;
  return run(process.execPath, ['--input-type=module', '-e', entry, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    maxBuffer: 16 * 1024 * 1024,
  });
}
