export { registerOpsCommands } from './commands.js';
export { loadConfig, OpsEnv, type OpsConfig } from './config.js';
export { runProgram } from './run-program.js';
export { ProgressBar, type ProgressStream } from './progress.js';
export { durationOption, numberOption, positiveIntListOption, positiveIntOption, type NumberBounds } from './option-parsers.js';
