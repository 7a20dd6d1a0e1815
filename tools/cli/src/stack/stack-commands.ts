import type { Command } from 'commander';
import type { CliConfig } from '../config.js';
import { stackDown, stackStatus, stackUp } from './stack.js';

/** `coldstart stack up|down|status`. */
export function registerStackCommands(program: Command, loadConfig: () => CliConfig): void {
  const stack = program.command('stack').description('the local stack: redis-server, the SQS emulator and every app as its own process');
  stack
    .command('up')
    .description('start whatever is not running')
    .action(async () => {
      const result = await stackUp(loadConfig());
      console.log(result.started.length > 0 ? `started: ${result.started.join(', ')}` : 'everything was already running');
    });
  stack
    .command('down')
    .description('stop what `stack up` started (apps first, letting them finish in-flight work)')
    .action(async () => {
      for (const c of await stackDown(loadConfig())) console.log(`${c.name.padEnd(18)} ${c.detail} (pid ${c.pid})`);
    });
  stack
    .command('status')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const statuses = await stackStatus(loadConfig());
      if (options.json) console.log(JSON.stringify(statuses));
      else for (const s of statuses) console.log(`${s.name.padEnd(18)} ${s.state.padEnd(9)} ${s.pid ? `pid ${s.pid}` : ''} ${s.detail ?? ''}`.trimEnd());
    });
}
