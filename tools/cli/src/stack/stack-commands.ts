import type { Command } from 'commander';
import { deploymentPrefix } from '@coldstart/config';
import { positiveIntOption } from '@coldstart/ops';
import type { CliConfig } from '../config.js';
import { stackClusterUrl, stackDown, stackStatus, stackUp } from './stack.js';

/** `coldstart stack up|down|status`. */
export function registerStackCommands(program: Command, loadConfig: () => CliConfig): void {
  const stack = program.command('stack').description('the local stack: redis-server, the SQS emulator and every app as its own process');
  stack
    .command('up')
    .description('start whatever is not running')
    .option('--redis-cluster <masters>', 'run on a local Redis Cluster of this many masters (ports 7000 and up) instead of one redis-server: REDIS_URL becomes redis-cluster://127.0.0.1:7000,…', positiveIntOption)
    .option('--queue-partitions <n>', 'run the pools\' queues in this many partitions (QUEUE_PARTITIONS): on a cluster, the queues spread over as many shards', positiveIntOption)
    .action(async (options: { redisCluster?: number; queuePartitions?: number }) => {
      const config = loadConfig();
      if (options.queuePartitions !== undefined) config.QUEUE_PARTITIONS = options.queuePartitions;
      if (options.redisCluster !== undefined) {
        config.REDIS_URL = stackClusterUrl(options.redisCluster);
        config.COLDSTART_PREFIX = deploymentPrefix(config.REDIS_URL, config.COLDSTART_PREFIX);
      }
      const result = await stackUp(config);
      console.log(result.started.length > 0 ? `started: ${result.started.join(', ')}` : 'everything was already running');
      if (options.redisCluster !== undefined) console.log(`the apps use REDIS_URL=${config.REDIS_URL}; export it for other coldstart commands against this stack`);
      if (options.queuePartitions !== undefined) console.log(`the apps use QUEUE_PARTITIONS=${config.QUEUE_PARTITIONS}; export it for other coldstart commands against this stack`);
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
