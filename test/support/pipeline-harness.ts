import { randomUUID } from 'node:crypto';
import { expect, vi } from 'vitest';
import { createSqsClient, ensureEventQueue, publishBodies, type EventQueue } from '@coldstart/aws';
import type { ColdstartEvent } from '@coldstart/events';
import { QUEUE_NAMES, type QueueName } from '@coldstart/pipeline';
import { IndexLog } from '@coldstart/index-log';
import { QueuePartitions } from '@coldstart/queues';
import { ensureEncoderFiles } from '@coldstart/t5-fixtures';
import { RecommendationStore, CatalogStore, type RecommendationList } from '@coldstart/store';
import { PartitionedQueue } from './partitioned-queue.js';
import { createRedisFixture, freePort, TEST_REDIS_URL, startApp, startSqsEmulator, type AppProcess, type RedisFixture, type SqsEmulator } from '@coldstart/testing';

export const APPS = ['worker-index', 'worker-embed', 'worker-expand', 'worker-recommend', 'ingest', 'api'] as const;
export type AppName = (typeof APPS)[number];

/**
 * The whole pipeline on real parts, isolated per test file: the SQS emulator, its own queues,
 * its own Redis key prefix, and every app as its own process. Short job locks make a killed
 * worker's jobs come back within seconds.
 */
export class PipelineHarness {
  readonly apps = new Map<AppName, AppProcess>();
  /** Further processes of an app (`startAnother`), e.g. a second expand process. */
  readonly others: AppProcess[] = [];
  /** Each app's METRICS_PORT (/healthz, /readyz, /metrics); the api serves them on API_PORT. */
  readonly metricsPorts = new Map<AppName, number>();
  private constructor(
    readonly fx: RedisFixture,
    readonly emulator: SqsEmulator,
    readonly userQueue: EventQueue,
    readonly itemQueue: EventQueue,
    readonly env: Record<string, string>,
    readonly apiUrl: string,
  ) {}

  /**
   * `extraEnv` is given to every app, e.g. another ENCODER for the embed pool; `redisUrl` picks
   * the Redis (a `redis-cluster://` URL runs every app on that cluster).
   */
  static async start(extraEnv: Record<string, string> = {}, redisUrl = TEST_REDIS_URL): Promise<PipelineHarness> {
    const fx = await createRedisFixture(redisUrl);
    const emulator = await startSqsEmulator();
    const sqs = createSqsClient({ region: 'us-east-1', endpoint: emulator.endpoint });
    const tag = randomUUID().slice(0, 8);
    const [userQueue, itemQueue] = await Promise.all([
      ensureEventQueue(sqs, `t-${tag}-user-events`, { visibilityTimeoutSeconds: 10 }),
      ensureEventQueue(sqs, `t-${tag}-item-events`, { visibilityTimeoutSeconds: 10 }),
    ]);
    sqs.destroy();
    const apiPort = await freePort();
    const env = {
      REDIS_URL: fx.url,
      COLDSTART_PREFIX: fx.prefix,
      AWS_REGION: 'us-east-1',
      SQS_ENDPOINT: emulator.endpoint,
      USER_EVENTS_QUEUE: userQueue.name,
      ITEM_EVENTS_QUEUE: itemQueue.name,
      INGEST_WAIT_TIME_SECONDS: '1',
      API_PORT: String(apiPort),
      API_TOKEN: 'test-token-0123456789',
      API_ADMIN_TOKEN: 'test-admin-token-0123456789',
      METRICS_HOST: '127.0.0.1',
      JOB_LOCK_MS: '3000',
      STALLED_INTERVAL_MS: '1000',
      SHUTDOWN_DEADLINE_MS: '10000',
      EXPANDER_STATS_REFRESH_MS: '0',
      LOG_LEVEL: 'info',
      ...extraEnv,
    };
    // As `coldstart stack up` does: the embed pool loads a fixture encoder but cannot generate one.
    if (extraEnv.ENCODER !== undefined && extraEnv.COLDSTART_MODELS_DIR !== undefined) await ensureEncoderFiles(extraEnv.ENCODER, extraEnv.COLDSTART_MODELS_DIR);
    const harness = new PipelineHarness(fx, emulator, userQueue, itemQueue, env, `http://127.0.0.1:${apiPort}`);
    for (const app of APPS) if (app !== 'api') harness.metricsPorts.set(app, await freePort());
    for (const app of APPS) harness.start(app);
    return harness;
  }

  start(app: AppName): AppProcess {
    const port = this.metricsPorts.get(app);
    const running = startApp(app, port === undefined ? this.env : { ...this.env, METRICS_PORT: String(port) });
    this.apps.set(app, running);
    return running;
  }

  /** One more process of `app`, beside the one `start` runs, with a metrics port of its own. */
  async startAnother(app: AppName): Promise<AppProcess> {
    const running = startApp(app, { ...this.env, METRICS_PORT: String(await freePort()) });
    this.others.push(running);
    return running;
  }

  /** Where `app` answers /healthz, /readyz and /metrics. */
  opsUrl(app: AppName): string {
    const port = this.metricsPorts.get(app);
    return port === undefined ? this.apiUrl : `http://127.0.0.1:${port}`;
  }

  async publish(events: readonly ColdstartEvent[]): Promise<void> {
    const sqs = createSqsClient({ region: 'us-east-1', endpoint: this.emulator.endpoint });
    const users = events.filter((e) => e.type.startsWith('user.')).map((e) => JSON.stringify(e));
    const items = events.filter((e) => e.type.startsWith('item.')).map((e) => JSON.stringify(e));
    await publishBodies(sqs, this.userQueue.url, users);
    await publishBodies(sqs, this.itemQueue.url, items);
    sqs.destroy();
  }

  /** GET /v1/users/{userId}/recommendations through the API process. */
  async recommendations(userId: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.apiUrl}/v1/users/${encodeURIComponent(userId)}/recommendations`, {
      headers: { authorization: `Bearer ${this.env.API_TOKEN}` },
    });
    return { status: response.status, body: await response.json() };
  }

  store(): RecommendationStore {
    return new RecommendationStore(this.fx.redis, this.fx.prefix);
  }

  catalog(): CatalogStore {
    return new CatalogStore(this.fx.redis, this.fx.prefix);
  }

  indexLog(): IndexLog {
    return new IndexLog(this.fx.redis, this.fx.prefix);
  }

  /**
   * Waits until the catalog holds `count` live items; on timeout the error carries every app's
   * output and which apps exited, since a pool that died at start looks like a slow one.
   */
  async waitForCatalog(count: number, timeoutMs: number): Promise<void> {
    const catalog = this.catalog();
    let live = 0;
    try {
      await vi.waitFor(async () => expect((live = await catalog.liveCount())).toBe(count), { timeout: timeoutMs, interval: 250 });
    } catch (error) {
      const exited = [...this.apps.values(), ...this.others].filter((app) => app.child.exitCode !== null || app.child.signalCode !== null).map((app) => app.name);
      throw new Error(`catalog holds ${live}/${count} items after ${timeoutMs} ms; exited apps: ${exited.join(', ') || 'none'}\n${this.logs()}`, { cause: error });
    }
  }

  /**
   * Waits until each signup's list is stored, made by that very event, and gives the lists by
   * userId; on timeout the error tells how many were served, the failed jobs and every app's output.
   */
  async waitForLists(signups: readonly { userId: string; eventId: string }[], timeoutMs: number, intervalMs: number): Promise<Map<string, RecommendationList>> {
    const store = this.store();
    const lists = new Map<string, RecommendationList>();
    try {
      await vi.waitFor(
        async () => {
          for (const event of signups) {
            if (lists.has(event.userId)) continue;
            const list = await store.get(event.userId);
            if (list?.eventId === event.eventId) lists.set(event.userId, list);
          }
          expect(lists.size).toBe(signups.length);
        },
        { timeout: timeoutMs, interval: intervalMs },
      );
    } catch (error) {
      throw new Error(`${lists.size}/${signups.length} served\n${JSON.stringify(await this.failedJobs())}\n${this.logs()}`, { cause: error });
    }
    return lists;
  }

  /** The deployment's queue partitions (QUEUE_PARTITIONS in the apps' environment; 1 unless given). */
  get partitions(): QueuePartitions {
    return new QueuePartitions(this.fx.prefix, Number(this.env.QUEUE_PARTITIONS ?? 1));
  }

  /** One of the pools' queues, over every partition. */
  queue(name: QueueName): PartitionedQueue {
    return new PartitionedQueue(name, this.fx.redis, this.partitions);
  }

  async failedJobs(): Promise<{ queue: string; reason: string }[]> {
    const failed = [];
    for (const name of QUEUE_NAMES) {
      const queue = this.queue(name);
      for (const job of await queue.getFailed()) failed.push({ queue: name, reason: job.failedReason });
      await queue.close();
    }
    return failed;
  }

  logs(): string {
    return [...this.apps.values(), ...this.others].map((app) => `--- ${app.name}\n${app.output().slice(-4000)}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apps.values(), ...this.others].map((app) => app.stop('SIGKILL')));
    await this.emulator.stop();
    await this.fx.cleanup();
  }
}
