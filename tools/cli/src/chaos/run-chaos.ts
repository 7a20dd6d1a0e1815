import { readFileSync } from 'node:fs';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createRedis, QueuePartitions } from '@coldstart/queues';
import { createSqsClient } from '@coldstart/aws';
import { startLlmServer, type LlmServer } from '@coldstart/llm-server';
import { percentile } from '@coldstart/runtime';
import type { CliConfig } from '../config.js';
import { waitUntilDone } from '../workload/wait-until.js';
import { logFile } from '../stack/process-control.js';
import { stackUp } from '../stack/stack.js';
import { chaosEvents } from '../workload/chaos-events.js';
import { checkBehaviour, type BehaviourCheck } from './behaviour-check.js';
import { findDuplicateWrites, type DuplicateWrites } from './duplicate-writes.js';
import { BehaviourLog } from '@coldstart/behaviour';
import { storeKeys } from '@coldstart/store';
import { startIsolatedConfig } from '../stack/isolated-stack.js';
import { OutcomeTracker } from '../workload/outcome-tracker.js';
import { publishPaced } from '../workload/paced-publisher.js';
import { killRandomly, type Kill } from './process-killer.js';
import { restartRedis, type RedisRestart } from './redis-restart.js';
import { serial } from '@coldstart/runtime';
import { checkSnapshots, type SnapshotCheck } from './snapshot-check.js';
import { startSnapshotFaults, type SnapshotFaults, type SnapshotTraffic } from './snapshot-faults.js';
import type { S3FaultProxyStats } from './s3-fault-proxy.js';

export interface ChaosOptions {
  users: number;
  items: number;
  killEverySeconds?: number;
  redisRestart: boolean;
  /** Share of LLM requests that fail: half answered 500, half never answered. */
  llmFaults?: number;
  /** Share of snapshot writes to S3 that fail (half InternalError 500, half SlowDown 503) or are delayed 1–3 s, half and half. */
  s3Faults?: number;
  llmLatencyMs: number;
  /** Signups per second; undefined publishes them all at once. */
  ratePerSecond?: number;
  expandProcesses?: number;
  timeoutSeconds: number;
  keepState: boolean;
  /** Run the stack on a local Redis Cluster of this many masters instead of one redis-server. */
  redisCluster?: number;
}

export interface ChaosReport {
  users: number;
  items: number;
  served: number;
  lost: number;
  duplicateWrites: number;
  kills: number;
  p50MsToRecs: number | null;
  p99MsToRecs: number | null;
  /** How `lost` and `duplicateWrites` came about, and what else the run saw. */
  detail: {
    lostUsers: string[];
    lostItems: string[];
    duplicates: DuplicateWrites;
    /** The behaviour model against the likes the signups and interactions carry (both count in `lost` and `duplicateWrites`). */
    behaviour: BehaviourCheck;
    /** List writes the store refused because their event was written already (retries after a kill): guarded repeats, not duplicates. */
    repeatsAbsorbed: number;
    failedJobs: number;
    deadLetters: number;
    /**
     * Messages still in the event queues after the run: events no ingest got into Redis if the
     * run did not drain, else repeats (a killed ingest's flow was in Redis, its delete was not).
     */
    leftInSqs: number;
    visibilityTimeoutSeconds: number;
    killed: Kill[];
    redisRestart: RedisRestart | null;
    llm: { latencyMs: number; errorShare: number; hangShare: number; timeoutMs: number; retries: number; p99BoundMs: number; requests: number; byOutcome: Record<string, number> } | null;
    /** Null without --s3-faults. */
    s3Faults: S3FaultsDetail | null;
    /** Users per second published (null: all at once). */
    ratePerSecond: number | null;
    realUsers: number;
    expansionSources: Record<string, number>;
    /** The five slowest users to recommendations: where a high p99 comes from. */
    slowest: { userId: string; ms: number; source: string; sentAtMs: number }[];
    /** From the first item published until every event was processed and every queue was empty. */
    elapsedMs: number;
    drained: boolean;
    /** Settings given to the stack's processes beyond the CLI's configuration. */
    appTuning: Record<string, string>;
    stateDir?: string;
  };
}

/**
 * What S3 faults did to the index snapshots: faults injected at the proxy, snapshot writes that
 * got through, and whether the newest snapshot verifies and restores to the catalog's items.
 */
export interface S3FaultsDetail extends Pick<SnapshotFaults, 'share' | 'errorShare' | 'delayShare' | 'delayMs' | 'seed' | 'url'> {
  proxy: S3FaultProxyStats;
  snapshotTraffic: SnapshotTraffic;
  /** The writer's snapshot rounds that failed despite the SDK's retries (worker-index's log). */
  snapshotRoundsFailed: number;
  check: SnapshotCheck;
  /** False fails the run: an index without a LATEST that verifies, a replica that does not start from it, or item replicas whose items differ from the catalog's. */
  verified: boolean;
}

/**
 * Lock and stall check short enough that a killed worker's jobs come back within seconds, not the
 * default 30–45 s. Long polls of 1 s, because the emulator keeps serving a killed ingest's long
 * poll until it times out: a message that comes back into view goes to that dead connection
 * and hides for another visibility timeout (seen here: one signup hidden for over 3 minutes
 * while ingests kept being killed with 20 s polls).
 */
const KILL_TUNING = { JOB_LOCK_MS: '5000', STALLED_INTERVAL_MS: '2000', INGEST_WAIT_TIME_SECONDS: '1' };
/** The run's own queues hide a killed ingest's messages this long (the local stack's default is 60 s). */
const VISIBILITY_TIMEOUT_SECONDS = 10;
/** One attempt per LLM request, 2 s deadline: a hang costs a user at most that before the fallback expander serves. */
const LLM_TIMEOUT_MS = 2_000;
const LLM_FAULT_TUNING = { LLM_TIMEOUT_MS: String(LLM_TIMEOUT_MS), LLM_RETRIES: '0' };

/** Messages in the given queues, visible or not (received and not yet deleted). */
async function messageCount(sqs: SQSClient, urls: readonly string[]): Promise<number> {
  let total = 0;
  for (const url of urls) {
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    total += Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  return total;
}

/** After the drain the writer snapshots within SNAPSHOT_EVERY_SECONDS, plus faults and retries. */
const FINAL_SNAPSHOT_WAIT_MS = 90_000;

/** Each user's own events (signup, interactions): the only ones their list may be written for. */
function eventsByUser(events: { users: readonly { userId: string; signup: { eventId: string } }[]; interactions: readonly { userId: string; eventId: string }[] }): Map<string, Set<string>> {
  const byUser = new Map(events.users.map((u) => [u.userId, new Set([u.signup.eventId])]));
  for (const i of events.interactions) byUser.get(i.userId)?.add(i.eventId);
  return byUser;
}

/** The writer logs each snapshot round it gives up on; counted from its log, which survives its kills. */
function failedSnapshotRounds(stateDir: string): number {
  try {
    return readFileSync(logFile(stateDir, 'worker-index'), 'utf8').split('\n').filter((line) => line.includes('snapshot failed')).length;
  } catch {
    return 0;
  }
}

/**
 * `coldstart chaos`: a stack of its own, M items and N signups through SQS while processes are
 * SIGKILLed (and Redis crashed) and the LLM misbehaves; then every event is checked.
 */
export async function runChaos(base: CliConfig, options: ChaosOptions, say: (line: string) => void): Promise<ChaosReport> {
  const faults = options.llmFaults;
  const tuning = { ...KILL_TUNING, ...(faults !== undefined ? LLM_FAULT_TUNING : {}) };
  if (options.redisCluster && options.redisRestart) throw new Error('--redis-restart crashes the stack\'s one redis-server; with --redis-cluster there is none (a cluster node\'s crash is not simulated yet)');
  const stack = await startIsolatedConfig(base, 'chaos', tuning, options.redisCluster ? { redisCluster: options.redisCluster } : {});
  const config = stack.config;
  if (options.expandProcesses) config.EXPAND_PROCESSES = options.expandProcesses;
  config.SQS_VISIBILITY_TIMEOUT_SECONDS = VISIBILITY_TIMEOUT_SECONDS;
  let llmServer: LlmServer | undefined;
  let snapshotFaults: SnapshotFaults | undefined;
  let keepState = options.keepState;
  const redis = createRedis(config.REDIS_URL, 'worker', undefined, { lazyConnect: true });
  redis.on('error', () => {}); // reconnects by itself across the Redis restart
  const sqs = createSqsClient({ region: config.AWS_REGION, endpoint: config.SQS_ENDPOINT });
  try {
    if (faults !== undefined) {
      llmServer = await startLlmServer({ faults: { latency: { kind: 'fixed', ms: options.llmLatencyMs }, errors: { 500: faults / 2 }, hangShare: faults / 2 } });
      config.LLM_BASE_URL = llmServer.baseUrl;
      config.LLM_MODEL = 'coldstart-local';
    }
    const exclusive = serial();
    const restart = async () => {
      await stackUp(config);
    };
    if (options.s3Faults !== undefined) {
      // The emulator first, for the bucket; the apps then start with snapshots through the proxy.
      await stackUp(config, { apps: [] });
      snapshotFaults = await startSnapshotFaults(config, options.s3Faults);
      stack.tune(snapshotFaults.appSettings);
    }
    const { queues } = await stackUp(config);
    const [userQueue, itemQueue] = queues;
    if (!userQueue || !itemQueue) throw new Error('the stack returned no event queues');
    say(`chaos stack up in ${config.COLDSTART_STATE_DIR} (Redis ${config.REDIS_URL}, prefix ${config.COLDSTART_PREFIX})`);

    const runId = Date.now().toString(36);
    const events = await chaosEvents(options.items, options.users, runId, new Date().toISOString());
    await redis.connect();
    const tracker = new OutcomeTracker(
      redis,
      QueuePartitions.of(config),
      events.items.map((e) => ({ itemId: e.itemId, eventId: e.eventId })),
      events.users.map((u) => ({ userId: u.userId, eventId: u.signup.eventId })),
    );

    const started = Date.now();
    const stopKilling = new AbortController();
    const killing = options.killEverySeconds ? killRandomly(config, options.killEverySeconds * 1000, restart, exclusive, stopKilling.signal) : Promise.resolve([]);
    let redisRestart: Promise<RedisRestart> | undefined;

    say(
      `publishing ${events.items.length} item events, then ${events.users.length} signups and ${events.interactions.length} interactions${options.ratePerSecond ? ` at ${options.ratePerSecond}/s each` : ''}`,
    );
    await publishPaced(sqs, itemQueue.url, events.items.map((e) => JSON.stringify(e)), undefined);
    // Signups wait for the catalog, as a product's would: a signup naming an item the catalog
    // lacks is retried with backoff, and that wait would be counted as time to recommendations.
    const catalogDone = await waitUntilDone(async () => (await tracker.poll(), { done: tracker.indexedCount, total: events.items.length }), {
      timeoutMs: options.timeoutSeconds * 1000,
      stallMs: 180_000,
      intervalMs: 500,
    });
    if (!catalogDone.complete) say(`only ${catalogDone.done}/${catalogDone.total} items indexed; publishing the signups anyway`);
    say(`catalog indexed in ${Date.now() - started} ms`);
    const publishing = publishPaced(sqs, userQueue.url, events.users.map((u) => JSON.stringify(u.signup)), options.ratePerSecond);
    // The interaction stream runs beside the signups, under the same kills.
    const interacting = publishPaced(sqs, userQueue.url, events.interactions.map((i) => JSON.stringify(i)), options.ratePerSecond);
    const behaviourLog = new BehaviourLog(redis, config.COLDSTART_PREFIX);
    const allEvents = events.items.length + events.users.length + events.expectedLikes.length;
    const progress = await waitUntilDone(
      async () => {
        await tracker.poll();
        const likes = Math.min(events.expectedLikes.length, await behaviourLog.likes());
        const done = tracker.indexedCount + tracker.lists.size + likes;
        // Drained means the queues are empty too: a job still running could yet write twice.
        const idle = done === allEvents && (await tracker.unfinishedJobs()) === 0 ? 1 : 0;
        return { done: done + idle, total: allEvents + 1 };
      },
      {
        timeoutMs: options.timeoutSeconds * 1000,
        // A killed ingest's received messages come back after the queue's visibility timeout.
        stallMs: 180_000,
        intervalMs: 500,
        onProgress: () => {
          if (options.redisRestart && !redisRestart && tracker.lists.size >= events.users.length / 2) {
            say(`crashing Redis (SIGKILL) with ${tracker.lists.size}/${events.users.length} users served`);
            redisRestart = exclusive(() => restartRedis(config, restart, started));
          }
        },
      },
    );
    const elapsedMs = Date.now() - started;
    stopKilling.abort();
    const killed = await killing;
    const sentAt = await publishing;
    await interacting;
    const restarted = redisRestart ? await redisRestart : null;

    const lostUsers = events.users.filter((u) => !tracker.lists.has(u.userId)).map((u) => u.userId);
    const lostItems = events.items.filter((e) => !tracker.isIndexed(e.itemId)).map((e) => e.itemId);
    const duplicates = await findDuplicateWrites(
      redis,
      config.COLDSTART_PREFIX,
      eventsByUser(events),
      new Set(events.items.map((e) => e.itemId)),
    );
    const behaviour = await checkBehaviour(redis, config.COLDSTART_PREFIX, events.expectedLikes);
    const timed = events.users.flatMap((u, i) => {
      const list = tracker.lists.get(u.userId);
      return list ? [{ userId: u.userId, ms: Date.parse(list.generatedAt) - (sentAt[i] ?? 0), source: list.expansion.source, sentAtMs: (sentAt[i] ?? 0) - started }] : [];
    });
    timed.sort((a, b) => a.ms - b.ms);
    const times = timed.map((t) => t.ms);
    const expansionSources: Record<string, number> = {};
    for (const list of tracker.lists.values()) expansionSources[list.expansion.source] = (expansionSources[list.expansion.source] ?? 0) + 1;
    const repeats = Number((await redis.get(storeKeys(config.COLDSTART_PREFIX).repeatedEvents)) ?? 0);
    const failedJobs = await tracker.failedJobs();
    await tracker.close();
    let s3Faults: S3FaultsDetail | null = null;
    if (snapshotFaults) {
      say('checking the snapshots in S3: waiting for the final one, verifying LATEST, restoring a replica from it');
      const check = await checkSnapshots(redis, config.COLDSTART_PREFIX, snapshotFaults.store, { waitMs: FINAL_SNAPSHOT_WAIT_MS });
      s3Faults = {
        share: snapshotFaults.share,
        errorShare: snapshotFaults.errorShare,
        delayShare: snapshotFaults.delayShare,
        delayMs: snapshotFaults.delayMs,
        seed: snapshotFaults.seed,
        url: snapshotFaults.url,
        proxy: snapshotFaults.proxyStats(),
        snapshotTraffic: snapshotFaults.traffic(),
        snapshotRoundsFailed: failedSnapshotRounds(config.COLDSTART_STATE_DIR),
        check,
        verified: check.verified,
      };
      if (!check.verified) keepState = true;
    }
    const drained = progress.complete;
    if (!drained) keepState = true;

    return {
      users: events.users.length,
      items: events.items.length,
      served: tracker.lists.size,
      lost: lostUsers.length + lostItems.length + behaviour.lost,
      duplicateWrites: duplicates.listsForSeveralEvents + duplicates.itemsLoggedTwice + behaviour.doubled,
      kills: killed.length,
      p50MsToRecs: percentile(times, 50),
      p99MsToRecs: percentile(times, 99),
      detail: {
        lostUsers: lostUsers.slice(0, 50),
        lostItems: lostItems.slice(0, 50),
        duplicates,
        behaviour,
        repeatsAbsorbed: repeats,
        failedJobs,
        deadLetters: await messageCount(sqs, queues.map((queue) => queue.deadLetter.url)),
        leftInSqs: await messageCount(sqs, queues.map((queue) => queue.url)),
        visibilityTimeoutSeconds: config.SQS_VISIBILITY_TIMEOUT_SECONDS,
        killed,
        redisRestart: restarted,
        llm:
          faults === undefined || !llmServer
            ? null
            : {
                latencyMs: options.llmLatencyMs,
                errorShare: faults / 2,
                hangShare: faults / 2,
                timeoutMs: LLM_TIMEOUT_MS,
                retries: 0,
                p99BoundMs: 3 * options.llmLatencyMs + LLM_TIMEOUT_MS,
                ...llmServer.stats(),
              },
        s3Faults,
        ratePerSecond: options.ratePerSecond ?? null,
        realUsers: events.realUsers,
        expansionSources,
        slowest: timed.slice(-5).reverse(),
        elapsedMs,
        drained,
        appTuning: stack.appTuning,
        ...(keepState ? { stateDir: config.COLDSTART_STATE_DIR } : {}),
      },
    };
  } catch (error) {
    keepState = true;
    say(`chaos failed; its stack's logs are in ${config.COLDSTART_STATE_DIR}/logs`);
    throw error;
  } finally {
    sqs.destroy();
    redis.disconnect();
    await llmServer?.close();
    await stack.down({ keepState });
    await snapshotFaults?.close();
  }
}
