import { Command } from 'commander';
import { registerOpsCommands, runProgram } from '@coldstart/ops';
import { registerBenchCommands } from './bench/bench-commands.js';
import { registerChaosCommand } from './chaos/chaos-command.js';
import { loadConfig } from './config.js';
import { registerContractCommands } from './contract/contract-commands.js';
import { registerDemoCommand } from './demo/demo-command.js';
import { registerEvalCommand } from './eval/eval-command.js';
import { registerLlmServerCommand } from './llm-server/llm-server-command.js';
import { registerSimulateCommand } from './simulate/simulate-command.js';
import { registerPlanCommand } from './sizing/sizing-commands.js';
import { registerStackCommands } from './stack/stack-commands.js';

// Every subcommand in a checkout; a production image has apps/ops's `coldstart` (dlq, jobs, snapshot) alone.
const program = new Command('coldstart').description('Cold-start recommendations from events: operate the local stack, validate events, run the demo.');
registerContractCommands(program);
registerStackCommands(program, loadConfig);
registerDemoCommand(program, loadConfig);
registerEvalCommand(program);
registerOpsCommands(program, loadConfig);
registerChaosCommand(program, loadConfig);
registerBenchCommands(program, loadConfig);
registerSimulateCommand(program, loadConfig);
registerPlanCommand(program);
registerLlmServerCommand(program);
runProgram(program);
