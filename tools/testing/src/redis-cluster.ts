import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { sleep } from '@coldstart/runtime';
import { freePort } from './app-process.js';

const run = promisify(execFile);
const SLOTS = 16_384;

/** A Redis Cluster of `masters` redis-server processes on loopback, no replicas, nothing persisted. */
export interface LocalRedisCluster {
  /** REDIS_URL for the apps: `redis-cluster://127.0.0.1:<port>,…`. */
  url: string;
  ports: number[];
  dir: string;
  /** Stops every node (SIGTERM, which saves nothing here; SIGKILL for any still alive after 10 s) and removes `dir`. */
  stop(): Promise<void>;
}

export interface LocalRedisClusterOptions {
  masters: number;
  /** Where the nodes keep their pidfiles, logs and cluster configs; nothing is persisted (no AOF, no RDB). */
  dir: string;
  /** The nodes' client ports; free ones when absent. */
  ports?: readonly number[];
}

/**
 * Starts a local Redis Cluster the way an operator would by hand, without redis-cli's minimum of
 * three masters: each node gets a contiguous share of the 16,384 slots and meets the first. Nodes
 * are daemons with pidfiles under `dir`, so a cluster started by `coldstart stack up` outlives the
 * CLI and `stopRedisCluster(dir)` finds it again. Resolves once every node reports
 * `cluster_state:ok` and knows every other.
 */
export async function startRedisCluster(options: LocalRedisClusterOptions): Promise<LocalRedisCluster> {
  const { masters, dir } = options;
  if (!Number.isInteger(masters) || masters < 1 || masters > 16) throw new Error(`a local cluster has 1 to 16 masters, not ${masters}`);
  if (options.ports && options.ports.length !== masters) throw new Error(`${options.ports.length} ports given for ${masters} masters`);
  await mkdir(dir, { recursive: true });
  const ports: number[] = [...(options.ports ?? [])];
  const busPorts: number[] = [];
  const taken = (port: number) => ports.includes(port) || busPorts.includes(port);
  while (ports.length < masters) {
    const port = await freePort();
    if (!taken(port)) ports.push(port);
  }
  while (busPorts.length < masters) {
    const bus = await freePort();
    if (!taken(bus)) busPorts.push(bus);
  }
  for (const [i, port] of ports.entries()) {
    // A node's cluster bus gets a port of its own (cluster-port) rather than port + 10 000, which may be taken.
    await run('redis-server', [
      '--port', String(port), '--cluster-port', String(busPorts[i]), '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000',
      '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--dir', dir,
      '--pidfile', join(dir, `redis-${port}.pid`), '--logfile', join(dir, `redis-${port}.log`),
    ]);
  }
  const nodes: Redis[] = [];
  try {
    // A daemonised redis-server returns before its child listens (on a busy machine, seconds before).
    for (const port of ports) nodes.push(await connectWhenListening(port, join(dir, `redis-${port}.log`)));
    for (const [i, node] of nodes.entries()) {
      const first = Math.floor((i * SLOTS) / masters);
      const last = Math.floor(((i + 1) * SLOTS) / masters) - 1;
      await node.call('CLUSTER', 'ADDSLOTSRANGE', first, last);
      if (i > 0) await node.call('CLUSTER', 'MEET', '127.0.0.1', ports[0]!, busPorts[0]!);
    }
    await waitForClusterOk(nodes, masters);
  } catch (error) {
    await stopRedisCluster(dir);
    throw error;
  } finally {
    for (const node of nodes) node.disconnect();
  }
  return { url: localClusterUrl(ports), ports, dir, stop: () => stopRedisCluster(dir) };
}

/** REDIS_URL for a cluster of nodes on loopback at `ports`. */
export function localClusterUrl(ports: readonly number[]): string {
  return `redis-cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`;
}

/** A connection to the node on `port` once it accepts one; after 15 s, an error quoting the end of its log. */
async function connectWhenListening(port: number, logFile: string): Promise<Redis> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const node = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 3, retryStrategy: () => null });
    node.on('error', () => {});
    try {
      await node.connect();
      await node.ping();
      return node;
    } catch (error) {
      node.disconnect();
      if (Date.now() > deadline) {
        const log = await readFile(logFile, 'utf8').catch(() => '(no log)');
        throw new Error(`the cluster node on port ${port} did not listen within 15 s: ${(error as Error).message}\n${log.slice(-1_000)}`, { cause: error });
      }
      await sleep(50);
    }
  }
}

async function waitForClusterOk(nodes: Redis[], masters: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const infos = await Promise.all(nodes.map((node) => node.call('CLUSTER', 'INFO') as Promise<string>));
    const ready = infos.every((info) => /cluster_state:ok/.test(info) && new RegExp(`cluster_known_nodes:${masters}\\b`).test(info));
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`the local Redis Cluster did not form in 30 s: ${infos.map((info) => /cluster_state:\w+/.exec(info)?.[0]).join(', ')}`);
    await sleep(100);
  }
}

/** The pids of the live nodes of a local cluster started in `dir`. */
export async function redisClusterPids(dir: string): Promise<number[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const pids: number[] = [];
  for (const file of files.filter((name) => /^redis-\d+\.pid$/.test(name))) {
    const pid = Number((await readFile(join(dir, file), 'utf8').catch(() => '')).trim());
    if (pid > 0 && alive(pid)) pids.push(pid);
  }
  return pids;
}

/** Stops the nodes of a local cluster started in `dir` (its pidfiles say which) and removes `dir`. Nothing there: nothing to do. */
export async function stopRedisCluster(dir: string): Promise<void> {
  const pids = await redisClusterPids(dir);
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(50);
  for (const pid of pids.filter(alive)) signal(pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
