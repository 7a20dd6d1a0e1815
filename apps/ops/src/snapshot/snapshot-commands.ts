import type { Command } from 'commander';
import { IndexLog, snapshotStoreFromUrl } from '@coldstart/index-log';
import { createRedis } from '@coldstart/queues';
import type { CliConfig } from '../config.js';
import { renderSnapshotList, snapshotCreate, snapshotList, snapshotRestore, type SnapshotActionDeps } from './snapshot-actions.js';
import { loadSnapshotConfig } from './snapshot-env.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

async function withDeps<T>(loadConfig: () => CliConfig, run: (deps: SnapshotActionDeps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const snapshotConfig = loadSnapshotConfig();
  const store = snapshotStoreFromUrl({
    url: snapshotConfig.COLDSTART_SNAPSHOTS_S3_URL,
    endpoint: snapshotConfig.S3_ENDPOINT,
    region: config.AWS_REGION,
    logger: { info: () => undefined, warn: (details, message) => say(`warning: ${message} ${JSON.stringify(details)}`) },
  });
  if (!store) throw new Error('COLDSTART_SNAPSHOTS_S3_URL is not set');
  const redis = createRedis(config.REDIS_URL, 'producer');
  try {
    return await run({ store, indexLog: new IndexLog(redis, config.COLDSTART_PREFIX), factory: snapshotConfig.INDEX_FACTORY });
  } finally {
    redis.disconnect();
  }
}

/** `coldstart snapshot list|create|restore --index NAME`: the vector index snapshots in S3. */
export function registerSnapshotCommands(program: Command, loadConfig: () => CliConfig): void {
  const snapshot = program.command('snapshot').description('vector index snapshots in S3 (COLDSTART_SNAPSHOTS_S3_URL): list, create, restore');

  snapshot
    .command('list')
    .description('snapshots of an index, oldest first; * marks the one LATEST names (replicas start there)')
    .requiredOption('--index <name>', 'the index: an encoder id, or users@<encoder id> for its user-vector index')
    .option('--json', 'machine-readable output')
    .action(async (options: { index: string; json?: boolean }) => {
      const listing = await withDeps(loadConfig, (deps) => snapshotList(deps, options.index));
      console.log(options.json ? JSON.stringify(listing) : renderSnapshotList(options.index, listing));
    });

  snapshot
    .command('create')
    .description('build the index from its newest snapshot and log, write a snapshot and move LATEST to it (no pruning or log trimming)')
    .requiredOption('--index <name>', 'the index: an encoder id, or users@<encoder id> for its user-vector index')
    .option('--json', 'print the manifest as JSON')
    .action(async (options: { index: string; json?: boolean }) => {
      const manifest = await withDeps(loadConfig, (deps) => snapshotCreate(deps, options.index));
      console.log(options.json ? JSON.stringify(manifest) : `wrote snapshot ${manifest.snapshotId} of ${options.index}: ${manifest.vectors} vectors up to log entry ${manifest.walSequence}`);
    });

  snapshot
    .command('restore')
    .description('verify a snapshot and point LATEST at it, so replicas start there; refuses one that does not verify')
    .requiredOption('--index <name>', 'the index: an encoder id, or users@<encoder id> for its user-vector index')
    .option('--snapshot <id>', 'the snapshot (default: the newest that verifies, starting at LATEST)')
    .option('--json', 'print the manifest as JSON')
    .action(async (options: { index: string; snapshot?: string; json?: boolean }) => {
      const manifest = await withDeps(loadConfig, (deps) => snapshotRestore(deps, options.index, options.snapshot));
      console.log(options.json ? JSON.stringify(manifest) : `LATEST of ${options.index} now names snapshot ${manifest.snapshotId} (log entry ${manifest.walSequence})`);
    });
}
