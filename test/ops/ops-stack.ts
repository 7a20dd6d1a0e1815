import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient, ensureEventQueue, publishBodies, type EventQueue, type TopologyOptions } from '@coldstart/aws';
import { RecommendationStore } from '@coldstart/store';
import { createRedisFixture, startApp, startSqsEmulator, TEST_REDIS_URL, type AppProcess, type RedisFixture, type SqsEmulator } from '@coldstart/testing';

export const CLI = join(import.meta.dirname, '..', '..', 'tools', 'cli', 'bin', 'coldstart.js');

export const WORKERS = ['worker-index', 'worker-embed', 'worker-expand', 'worker-recommend'] as const;
export type OpsApp = (typeof WORKERS)[number] | 'ingest';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * What the operations tests run on: the SQS emulator with one pair of event queues (and their
 * DLQs), a Redis key prefix of their own, app processes started on demand, and the `coldstart`
 * CLI as a child process with the same settings.
 */
export class OpsStack {
  readonly apps = new Map<string, AppProcess>();
  readonly sqs: SQSClient;

  private constructor(
    readonly fx: RedisFixture,
    readonly emulator: SqsEmulator,
    readonly userQueue: EventQueue,
    readonly itemQueue: EventQueue,
    readonly stateDir: string,
  ) {
    this.sqs = createSqsClient({ region: 'us-east-1', endpoint: emulator.endpoint });
  }

  static async start(topology: TopologyOptions = {}): Promise<OpsStack> {
    const fx = await createRedisFixture();
    const emulator = await startSqsEmulator();
    const sqs = createSqsClient({ region: 'us-east-1', endpoint: emulator.endpoint });
    const tag = randomUUID().slice(0, 8);
    const [userQueue, itemQueue] = await Promise.all([
      ensureEventQueue(sqs, `ops-${tag}-user-events`, topology),
      ensureEventQueue(sqs, `ops-${tag}-item-events`, topology),
    ]);
    sqs.destroy();
    return new OpsStack(fx, emulator, userQueue, itemQueue, mkdtempSync(join(tmpdir(), 'coldstart-ops-')));
  }

  /** What every app and the CLI see. */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      REDIS_URL: TEST_REDIS_URL,
      COLDSTART_PREFIX: this.fx.prefix,
      AWS_REGION: 'us-east-1',
      SQS_ENDPOINT: this.emulator.endpoint,
      USER_EVENTS_QUEUE: this.userQueue.name,
      ITEM_EVENTS_QUEUE: this.itemQueue.name,
      COLDSTART_STATE_DIR: this.stateDir,
      INGEST_WAIT_TIME_SECONDS: '1',
      JOB_LOCK_MS: '3000',
      STALLED_INTERVAL_MS: '1000',
      SHUTDOWN_DEADLINE_MS: '10000',
      EXPANDER_STATS_REFRESH_MS: '0',
      LOG_LEVEL: 'info',
      // Each process's /metrics and health endpoints on a free port of its own.
      METRICS_PORT: '0',
      ...overrides,
    };
  }

  startApp(app: OpsApp, overrides: Record<string, string> = {}, as: string = app): AppProcess {
    const running = startApp(app, this.env(overrides));
    this.apps.set(as, running);
    return running;
  }

  async stopApp(as: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.apps.get(as)?.stop(signal);
    this.apps.delete(as);
  }

  /** Runs `coldstart <args>` to completion, with `input` on its stdin (none: stdin is empty). */
  cli(args: readonly string[], overrides: Record<string, string> = {}, input = ''): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = execFile(
        process.execPath,
        [CLI, ...args],
        { env: { PATH: process.env.PATH ?? '', ...this.env(overrides) }, maxBuffer: 32 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      child.stdin?.end(input);
    });
  }

  /** Starts `coldstart <args>` and returns at once, for tests that kill it. */
  spawnCli(args: readonly string[]): { child: ChildProcess; output: () => string; exited: Promise<number | string> } {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...this.env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    return { child, output: () => output, exited };
  }

  async publish(queue: EventQueue, bodies: readonly string[]): Promise<void> {
    await publishBodies(this.sqs, queue.url, bodies);
  }

  /** Visible and in-flight messages of a queue (fauxqs counts exactly). */
  async counts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
    const result = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return {
      visible: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  store(): RecommendationStore {
    return new RecommendationStore(this.fx.redis, this.fx.prefix);
  }

  logs(): string {
    return [...this.apps.entries()].map(([name, app]) => `--- ${name}\n${app.output().slice(-3000)}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apps.values()].map((app) => app.stop('SIGKILL')));
    this.sqs.destroy();
    await this.emulator.stop();
    await this.fx.cleanup();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
