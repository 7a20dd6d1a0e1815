import type { Command } from 'commander';
import type { OpsConfig } from './config.js';
import { registerDlqCommands } from './dlq/dlq-commands.js';
import { registerEventsCommands } from './events/events-commands.js';
import { registerExperimentsCommands } from './experiments/experiments-commands.js';
import { registerInteractionsCommands } from './interactions/interactions-commands.js';
import { registerJobsCommands } from './jobs/jobs-commands.js';
import { registerKeysCommands } from './keys/keys-migrate.js';
import { registerSnapshotCommands } from './snapshot/snapshot-commands.js';
import { registerStatsCommand } from './stats/stats.js';

/**
 * The commands a production team runs: index snapshots in S3, the SQS dead-letter queues and
 * the pools' failed BullMQ jobs; and the producer tools: events onto the queues, history into
 * the behaviour model, what the recommenders hold, and the experiments' readout; and the one-off
 * move of a cluster deployment's keys when their layout changes. `loadConfig` is called only when a
 * command runs, so `--help` needs no environment; the development CLI passes its own (which
 * defaults to the local stack).
 */
export function registerOpsCommands(program: Command, loadConfig: () => OpsConfig): void {
  registerSnapshotCommands(program, loadConfig);
  registerDlqCommands(program, loadConfig);
  registerJobsCommands(program, loadConfig);
  registerEventsCommands(program, loadConfig);
  registerInteractionsCommands(program, loadConfig);
  registerStatsCommand(program, loadConfig);
  registerExperimentsCommands(program, loadConfig);
  registerKeysCommands(program, loadConfig);
}
