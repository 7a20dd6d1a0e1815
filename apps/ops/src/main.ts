import { Command } from 'commander';
import { registerOpsCommands } from './commands.js';
import { loadConfig } from './config.js';
import { runProgram } from './run-program.js';

// What a production image runs: `node apps/ops/dist/main.js dlq list --queue user-events`.
const program = new Command('coldstart').description('Operate a coldstart deployment: index snapshots, dead-letter queues, failed jobs, sending events, importing history, stats.');
registerOpsCommands(program, loadConfig);
runProgram(program);
