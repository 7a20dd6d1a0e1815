import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { clusterNodeOptions, parseRedisUrl } from '@coldstart/config';
import { localClusterUrl, redisClusterPids, startRedisCluster, stopRedisCluster } from '@coldstart/testing';
import { createSqsClient, ensureEventQueue, type EventQueue } from '@coldstart/aws';
import { sleep, waitUntil } from '@coldstart/runtime';
import { ensureEncoderFiles } from '@coldstart/t5-fixtures';
import { modelsDir, type CliConfig } from '../config.js';
import { appEntry, repoRoot } from '../repo-paths.js';
import { runningPid, startDetached, stopProcess, tailLog, type ManagedProcess } from './process-control.js';

/** The deployable apps, each its own process, in start order. */
export const STACK_APPS = ['worker-index', 'worker-embed', 'worker-expand', 'worker-recommend', 'ingest', 'api'] as const;
export type StackApp = (typeof STACK_APPS)[number];

export interface ComponentStatus {
  name: string;
  state: 'running' | 'stopped' | 'external';
  pid?: number;
  detail?: string;
}

const isLoopback = (host: string) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);

/** Whether Redis answers at REDIS_URL; for a cluster, whether its first node does. */
async function redisReachable(url: string): Promise<boolean> {
  const target = parseRedisUrl(url);
  const options = { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 };
  const redis = target.cluster
    ? new Redis({ ...options, host: target.nodes[0]!.host, port: target.nodes[0]!.port, ...clusterNodeOptions(target) })
    : new Redis(url, options);
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function emulatorReachable(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('/health', endpoint), { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, onFail: () => string): Promise<void> {
  if (!(await waitUntil(check, { timeoutMs, intervalMs: 100 }))) throw new Error(`${what} did not come up within ${timeoutMs} ms\n${onFail()}`);
}

/** What the stack's apps see: the same variables every deployment sets. */
function appEnvironment(config: CliConfig): NodeJS.ProcessEnv {
  return {
    ...process.env,
    REDIS_URL: config.REDIS_URL,
    COLDSTART_PREFIX: config.COLDSTART_PREFIX,
    QUEUE_PARTITIONS: String(config.QUEUE_PARTITIONS),
    AWS_REGION: config.AWS_REGION,
    SQS_ENDPOINT: config.SQS_ENDPOINT,
    USER_EVENTS_QUEUE: config.USER_EVENTS_QUEUE,
    ITEM_EVENTS_QUEUE: config.ITEM_EVENTS_QUEUE,
    API_PORT: String(config.API_PORT),
    ENCODER: config.ENCODER,
    ...(config.LLM_BASE_URL ? { LLM_BASE_URL: config.LLM_BASE_URL } : {}),
    ...(config.LLM_MODEL ? { LLM_MODEL: config.LLM_MODEL } : {}),
    COLDSTART_MODELS_DIR: modelsDir(config),
    LOG_LEVEL: config.LOG_LEVEL,
  };
}

/** The settings that must agree between the CLI and a stack it reuses. */
const SHARED_SETTINGS = [
  'REDIS_URL',
  'COLDSTART_PREFIX',
  'QUEUE_PARTITIONS',
  'SQS_ENDPOINT',
  'AWS_REGION',
  'USER_EVENTS_QUEUE',
  'ITEM_EVENTS_QUEUE',
  'API_PORT',
  'ENCODER',
  'LLM_BASE_URL',
  'LLM_MODEL',
  'EXPAND_PROCESSES',
] as const;

const settingsFile = (stateDir: string) => join(stateDir, 'run', 'stack-settings.json');

/**
 * Apps already running keep the settings they were started with. Reusing them with other
 * settings (another prefix, queue or port) would send events where nobody looks, so a
 * mismatch is refused with the differences named.
 */
function checkRunningSettings(config: CliConfig, anyAppRunning: boolean): void {
  const file = settingsFile(config.COLDSTART_STATE_DIR);
  const wanted = Object.fromEntries(SHARED_SETTINGS.map((name) => [name, String(config[name])]));
  if (anyAppRunning) {
    if (!existsSync(file)) throw new Error('apps of a stack with unknown settings are running; run `coldstart stack down` first');
    const running = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    const differences = SHARED_SETTINGS.filter((name) => running[name] !== wanted[name]).map(
      (name) => `${name}: running stack has ${JSON.stringify(running[name])}, this command has ${JSON.stringify(wanted[name])}`,
    );
    if (differences.length > 0) {
      throw new Error(`the running stack was started with other settings; run \`coldstart stack down\` first, or use the same settings:\n  ${differences.join('\n  ')}`);
    }
    return;
  }
  mkdirSync(join(config.COLDSTART_STATE_DIR, 'run'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(wanted, null, 2)}\n`);
}

/** Where `stack up` keeps the local Redis Cluster it starts for a `redis-cluster://` REDIS_URL on loopback. */
const clusterDir = (stateDir: string) => join(stateDir, 'redis-cluster');

/** The URL of a local cluster of `masters` nodes on ports 7000 and up: `coldstart stack up --redis-cluster N`. */
export function stackClusterUrl(masters: number): string {
  return localClusterUrl(Array.from({ length: masters }, (_, i) => 7000 + i));
}

/**
 * Starts the Redis REDIS_URL names on this host: a redis-server (AOF on), or for a cluster URL
 * a cluster with a master on each port it lists (nothing persisted: `stack down` ends it).
 */
async function startLocalRedis(config: CliConfig, started: string[]): Promise<void> {
  const stateDir = config.COLDSTART_STATE_DIR;
  const target = parseRedisUrl(config.REDIS_URL);
  const hosts = target.cluster ? target.nodes.map((node) => node.host) : [new URL(config.REDIS_URL).hostname];
  const remote = hosts.find((host) => !isLoopback(host));
  if (remote !== undefined) throw new Error(`Redis at ${remote} is not reachable; the stack only starts a local one`);
  if (target.cluster) {
    // Whatever is left of an earlier cluster here (a node crashed, the machine restarted) cannot rejoin without its data: start afresh.
    await stopRedisCluster(clusterDir(stateDir));
    await startRedisCluster({ masters: target.nodes.length, dir: clusterDir(stateDir), ports: target.nodes.map((node) => node.port) });
    started.push(`redis-cluster (${target.nodes.length} masters)`);
    return;
  }
  const spec = redisProcess(config);
  if (!runningPid(stateDir, spec)) {
    mkdirSync(join(stateDir, 'redis'), { recursive: true });
    startDetached(stateDir, spec);
    started.push('redis');
  }
  await waitFor('redis-server', () => redisReachable(config.REDIS_URL), 10_000, () => tailLog(stateDir, 'redis'));
}

function redisProcess(config: CliConfig): ManagedProcess {
  // A cluster URL has no single port; its nodes are not started from this spec.
  const url = new URL(parseRedisUrl(config.REDIS_URL).cluster ? 'redis://127.0.0.1:6379' : config.REDIS_URL);
  const dir = join(config.COLDSTART_STATE_DIR, 'redis');
  return {
    name: 'redis',
    command: 'redis-server',
    marker: 'redis-server',
    // AOF on, as in production: a restarted Redis keeps queues, catalog and lists.
    args: ['--port', url.port || '6379', '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'],
    env: process.env,
  };
}

function emulatorProcess(config: CliConfig): ManagedProcess {
  return {
    name: 'sqs-emulator',
    command: process.execPath,
    args: [join(repoRoot(), 'tools', 'cli', 'dist', 'stack', 'emulator-main.js')],
    env: { ...process.env, EMULATOR_PORT: new URL(config.SQS_ENDPOINT).port || '4566' },
  };
}

/** The pid of the stack's SQS emulator, if it runs (its CPU is counted apart from ours by `bench pipeline`). */
export function emulatorPid(config: CliConfig): number | undefined {
  return runningPid(config.COLDSTART_STATE_DIR, emulatorProcess(config));
}

/**
 * Each app's METRICS_PORT on this host: METRICS_PORT_BASE plus its place in STACK_APPS, so the
 * processes sharing the machine do not collide (the api serves /metrics on API_PORT instead).
 */
export function metricsPort(config: Pick<CliConfig, 'METRICS_PORT_BASE'>, app: StackApp): number {
  return config.METRICS_PORT_BASE + STACK_APPS.indexOf(app);
}

/** Most apps run once; the expand pool runs EXPAND_PROCESSES times (`worker-expand`, `worker-expand-2`, …). */
const processCount = (config: CliConfig, app: StackApp) => (app === 'worker-expand' ? config.EXPAND_PROCESSES : 1);
/** Every process an earlier `stack up` may have started, whatever EXPAND_PROCESSES is now. */
const mostProcesses = (app: StackApp) => (app === 'worker-expand' ? 16 : 1);

/**
 * The processes of one app: the first keeps the app's name and metrics port; the expand pool's
 * further ones take the ports after the last app's.
 */
function appProcesses(config: CliConfig, app: StackApp, count = processCount(config, app)): ManagedProcess[] {
  return Array.from({ length: count }, (_, i) => {
    const port = i === 0 ? metricsPort(config, app) : config.METRICS_PORT_BASE + STACK_APPS.length + i - 1;
    const env = { ...appEnvironment(config), METRICS_PORT: String(port) };
    return { name: i === 0 ? app : `${app}-${i + 1}`, command: process.execPath, args: [appEntry(app)], env };
  });
}

/** The metrics ports of the stack's expand processes, where the LLM counters are read. */
export function expandMetricsPorts(config: CliConfig): number[] {
  return appProcesses(config, 'worker-expand').map((spec) => Number(spec.env.METRICS_PORT));
}

export interface StackUpResult {
  started: string[];
  queues: EventQueue[];
}

/**
 * Starts whatever of the local stack is not running: Redis and the SQS emulator unless
 * reachable already, the event queues with their dead-letter queues, then every app.
 */
export async function stackUp(config: CliConfig, options: { apps?: readonly StackApp[] } = {}): Promise<StackUpResult> {
  const stateDir = config.COLDSTART_STATE_DIR;
  const started: string[] = [];

  if (!(await redisReachable(config.REDIS_URL))) await startLocalRedis(config, started);

  if (!(await emulatorReachable(config.SQS_ENDPOINT))) {
    if (!isLoopback(new URL(config.SQS_ENDPOINT).hostname)) throw new Error(`SQS endpoint ${config.SQS_ENDPOINT} is not reachable`);
    const spec = emulatorProcess(config);
    if (!existsSync(spec.args[0] ?? '')) throw new Error(`${spec.args[0]} is missing: run "npm run build" first`);
    if (!runningPid(stateDir, spec)) {
      startDetached(stateDir, spec);
      started.push('sqs-emulator');
    }
    await waitFor('the SQS emulator', () => emulatorReachable(config.SQS_ENDPOINT), 10_000, () => tailLog(stateDir, 'sqs-emulator'));
  }

  const sqs = createSqsClient({ region: config.AWS_REGION, endpoint: config.SQS_ENDPOINT });
  const queues = await Promise.all([config.USER_EVENTS_QUEUE, config.ITEM_EVENTS_QUEUE].map((name) => ensureEventQueue(sqs, name, { visibilityTimeoutSeconds: config.SQS_VISIBILITY_TIMEOUT_SECONDS })));
  sqs.destroy();

  const apps = (options.apps ?? STACK_APPS).flatMap((app) => appProcesses(config, app));
  checkRunningSettings(config, apps.some((spec) => runningPid(stateDir, spec) !== undefined));
  // The embed pool loads a fixture encoder but cannot generate one: production holds no generator.
  await ensureEncoderFiles(config.ENCODER, modelsDir(config));
  const fresh: ManagedProcess[] = [];
  for (const spec of apps) {
    if (!existsSync(spec.args[0] ?? '')) throw new Error(`${spec.args[0]} is missing: run "npm run build" first`);
    if (runningPid(stateDir, spec)) continue;
    startDetached(stateDir, spec);
    fresh.push(spec);
    started.push(spec.name);
  }
  // An app that fails at start (bad configuration, unreachable dependency) exits within
  // moments; report it with its log instead of letting a demo wait for it.
  await sleep(fresh.length > 0 ? 1_500 : 0);
  const dead = fresh.filter((spec) => !runningPid(stateDir, spec));
  if (dead.length > 0) {
    throw new Error(dead.map((spec) => `${spec.name} exited at start:\n${tailLog(stateDir, spec.name)}`).join('\n\n'));
  }
  return { started, queues };
}

/** Stops what `stackUp` started: apps first (they finish in-flight work), then the services. */
export async function stackDown(config: CliConfig, graceMs = 30_000): Promise<ComponentStatus[]> {
  const stateDir = config.COLDSTART_STATE_DIR;
  const appSpecs = STACK_APPS.flatMap((app) => appProcesses(config, app, mostProcesses(app)));
  const specs = [...appSpecs.reverse(), emulatorProcess(config), redisProcess(config)];
  const stopped: ComponentStatus[] = [];
  for (const spec of specs) {
    const pid = runningPid(stateDir, spec);
    if (!pid) continue;
    const outcome = await stopProcess(stateDir, spec.name, pid, graceMs);
    stopped.push({ name: spec.name, state: 'stopped', pid, detail: outcome });
  }
  const clusterPids = await redisClusterPids(clusterDir(stateDir));
  if (clusterPids.length > 0) {
    await stopRedisCluster(clusterDir(stateDir));
    stopped.push({ name: 'redis-cluster', state: 'stopped', pid: clusterPids[0]!, detail: `${clusterPids.length} nodes stopped, their data removed` });
  }
  return stopped;
}

export async function stackStatus(config: CliConfig): Promise<ComponentStatus[]> {
  const stateDir = config.COLDSTART_STATE_DIR;
  const service = async (spec: ManagedProcess, reachable: boolean, endpoint: string): Promise<ComponentStatus> => {
    const pid = runningPid(stateDir, spec);
    if (pid) return { name: spec.name, state: 'running', pid, detail: endpoint };
    return { name: spec.name, state: reachable ? 'external' : 'stopped', detail: endpoint };
  };
  const clusterPids = await redisClusterPids(clusterDir(stateDir));
  const statuses = [
    clusterPids.length > 0
      ? { name: 'redis-cluster', state: 'running' as const, pid: clusterPids[0]!, detail: `${clusterPids.length} nodes, in ${clusterDir(stateDir)}` }
      : await service(redisProcess(config), await redisReachable(config.REDIS_URL), config.REDIS_URL),
    await service(emulatorProcess(config), await emulatorReachable(config.SQS_ENDPOINT), config.SQS_ENDPOINT),
  ];
  for (const app of STACK_APPS) {
    appProcesses(config, app, mostProcesses(app)).forEach((spec, i) => {
      const pid = runningPid(stateDir, spec);
      if (pid) statuses.push({ name: spec.name, state: 'running', pid });
      else if (i === 0) statuses.push({ name: spec.name, state: 'stopped' });
    });
  }
  return statuses;
}
