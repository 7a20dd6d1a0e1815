import { Option, type Command } from 'commander';
import { IndexLog, snapshotStoreFromUrl, type SnapshotManifest } from '@coldstart/index-log';
import { createRedis } from '@coldstart/queues';
import { commandGroup, reportAction } from '../command-kit.js';
import type { OpsConfig } from '../config.js';
import { renderSnapshotList, snapshotCreate, snapshotList, snapshotRestore, type SnapshotActionDeps } from './snapshot-actions.js';
import { loadSnapshotConfig } from './snapshot-env.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

async function withDeps<T>(loadConfig: () => OpsConfig, run: (deps: SnapshotActionDeps) => Promise<T>): Promise<T> {
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

const indexOption = () => new Option('--index <name>', 'the index: an encoder id, or users@<encoder id> for its user-vector index').makeOptionMandatory();

type SnapshotOptions = { index: string; json?: boolean };

/** `coldstart snapshot list|create|restore --index NAME`: the vector index snapshots in S3. */
export function registerSnapshotCommands(program: Command, loadConfig: () => OpsConfig): void {
  const subcommand = commandGroup(program, 'snapshot', 'vector index snapshots in S3 (COLDSTART_SNAPSHOTS_S3_URL): list, create, restore', indexOption);
  const onIndex = <T>(action: (deps: SnapshotActionDeps, options: SnapshotOptions & { snapshot?: string }) => Promise<T>) => (options: SnapshotOptions & { snapshot?: string }) =>
    withDeps(loadConfig, (deps) => action(deps, options));

  const list = subcommand('list', 'snapshots of an index, oldest first; * marks the one LATEST names (replicas start there)');
  reportAction(list, onIndex((deps, options) => snapshotList(deps, options.index)), (listing, options) => renderSnapshotList(options.index, listing));

  const create = subcommand('create', 'build the index from its newest snapshot and log, write a snapshot and move LATEST to it (no pruning or log trimming)');
  const created = (manifest: SnapshotManifest, options: SnapshotOptions) => `wrote snapshot ${manifest.snapshotId} of ${options.index}: ${manifest.vectors} vectors up to log entry ${manifest.walSequence}`;
  reportAction(create, onIndex((deps, options) => snapshotCreate(deps, options.index)), created, { jsonHelp: 'print the manifest as JSON' });

  const restore = subcommand('restore', 'verify a snapshot and point LATEST at it, so replicas start there; refuses one that does not verify')
    .option('--snapshot <id>', 'the snapshot (default: the newest that verifies, starting at LATEST)');
  const restored = (manifest: SnapshotManifest, options: SnapshotOptions) => `LATEST of ${options.index} now names snapshot ${manifest.snapshotId} (log entry ${manifest.walSequence})`;
  reportAction(restore, onIndex((deps, options) => snapshotRestore(deps, options.index, options.snapshot)), restored, { jsonHelp: 'print the manifest as JSON' });
}
