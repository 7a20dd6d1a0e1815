import { Readable } from 'node:stream';
import { createRedis, QueuePartitions } from '@coldstart/queues';
import { interactionsImport, numberedLines } from '@coldstart/ops';
import { createSqsClient, publishBodies } from '@coldstart/aws';
import { loadFold, usersWithMinRatings, type FoldName } from '@coldstart/goodbooks';
import { CatalogStore, RecommendationStore, type RecommendationList } from '@coldstart/store';
import { percentile } from '@coldstart/runtime';
import type { CliConfig } from '../config.js';
import { demoUsers, itemEvent } from '../workload/demo-events.js';
import { ITEM_STAGES, stageTimings, USER_STAGES, type StageTiming } from './stage-timings.js';
import { waitUntilDone } from '../workload/wait-until.js';
import { countersSince, readLlmCounters, type LlmCounters } from '../workload/llm-usage.js';
import { expandMetricsPorts, stackUp } from '../stack/stack.js';

export interface DemoOptions {
  fold: FoldName;
  users: number;
  json: boolean;
  timeoutSeconds: number;
}

export interface DemoUserResult {
  userId: string;
  seedItem: string;
  seedTitle: string;
  topics: string[];
  expansion: RecommendationList['expansion'];
  recommendations: { itemId: string; title: string; score: number; reason: string }[];
}

export interface DemoReport {
  fold: FoldName;
  encoder: string;
  users: DemoUserResult[];
  /** From the first catalog event published to the last user served. */
  elapsedMs: number;
  catalog: { items: number; indexed: number; elapsedMs: number; stages: StageTiming[] };
  /** The fold's earlier readers (every user but the demo's), imported with `interactions import` before the signups: what the behaviour model learns from. */
  history: { readers: number; rows: number; imported: number; duplicates: number; likes: number; elapsedMs: number };
  signups: {
    users: number;
    served: number;
    elapsedMs: number;
    stages: StageTiming[];
    /** From the start of publishing the signups to each user's list being written. */
    timeToRecommendationMs: { p50: number | null; p99: number | null };
  };
  /** Served users by how their topics came about: catalog, llm, cache, fallback. */
  expansionSources: Record<string, number>;
  /** With an LLM: the expand processes' counters over this run, and LLM requests per served user. */
  llm?: LlmCounters & { baseUrl: string; model: string; expandProcesses: number; callsPerUser: number };
  unserved: string[];
}

/** Items the stack had not indexed, or users it had not served, when waiting stopped. */
export class DemoIncompleteError extends Error {
  override readonly name = 'DemoIncompleteError';
  constructor(
    message: string,
    readonly report: DemoReport | undefined,
  ) {
    super(message);
  }
}

export async function runDemo(config: CliConfig, options: DemoOptions, say: (line: string) => void): Promise<DemoReport> {
  const stack = await stackUp(config);
  if (stack.started.length > 0) say(`started: ${stack.started.join(', ')}`);
  const [userQueue, itemQueue] = stack.queues;
  if (!userQueue || !itemQueue) throw new Error('the stack returned no event queues');

  const fold = await loadFold(options.fold);
  const runId = Date.now().toString(36);
  const occurredAt = new Date().toISOString();
  const items = fold.books.map((book) => itemEvent(book, runId, occurredAt));
  const users = demoUsers(fold, usersWithMinRatings(fold, 5).slice(0, options.users), runId, occurredAt);
  if (users.length < options.users) say(`fold ${options.fold} has only ${users.length} users with at least 5 ratings`);

  const sqs = createSqsClient({ region: config.AWS_REGION, endpoint: config.SQS_ENDPOINT });
  const redis = createRedis(config.REDIS_URL, 'producer');
  const catalog = new CatalogStore(redis, config.COLDSTART_PREFIX);
  const store = new RecommendationStore(redis, config.COLDSTART_PREFIX);
  const timeoutMs = options.timeoutSeconds * 1000;
  try {
    const started = Date.now();
    say(`publishing ${items.length} catalog events of fold ${options.fold} to ${itemQueue.name}`);
    await publishBodies(sqs, itemQueue.url, items.map((event) => JSON.stringify(event)));
    const expectedEvent = new Map(items.map((event) => [event.itemId, event.eventId]));
    const catalogDone = await waitUntilDone(
      async () => {
        const applied = await catalog.appliedEvents([...expectedEvent.keys()]);
        const done = [...applied].filter(([itemId, eventId]) => eventId === expectedEvent.get(itemId)).length;
        return { done, total: expectedEvent.size };
      },
      { timeoutMs, stallMs: 60_000 },
    );
    const catalogMs = Date.now() - started;
    say(`catalog: ${catalogDone.done}/${catalogDone.total} items indexed in ${catalogMs} ms`);
    if (catalogDone.done === 0) {
      throw new Error(`no catalog item was indexed within ${catalogMs} ms: see the logs in ${config.COLDSTART_STATE_DIR}/logs (ingest, worker-embed, worker-index)`);
    }

    // The earlier readers' ratings, as a team backfills its history: co-occurrence and popularity
    // for the signups below to be served from. The demo users' own ratings stay out.
    const historyStarted = Date.now();
    const demoReaders = new Set(users.map((user) => Number(user.userId)));
    const rows = fold.ratings.filter((r) => !demoReaders.has(r.userId));
    say(`importing ${rows.length} ratings of the fold's earlier readers (interactions import)`);
    const csv = ['userId,itemId,rating,occurredAt', ...rows.map((r) => `${r.userId},${r.bookId},${r.rating},${occurredAt}`)].join('\n');
    const imported = await interactionsImport(config, numberedLines(Readable.from([csv])), { format: 'csv', totalLines: rows.length + 1 }, {
      progress: process.stderr,
      problem: (problem) => say(JSON.stringify(problem)),
    });
    const history = { readers: new Set(rows.map((r) => r.userId)).size, rows: rows.length, imported: imported.imported, duplicates: imported.duplicates, likes: imported.likes, elapsedMs: Date.now() - historyStarted };
    say(`history: ${history.imported} new interactions of ${history.readers} readers (${history.likes} likes), ${history.duplicates} already learned, in ${history.elapsedMs} ms`);

    const expandPorts = config.LLM_BASE_URL ? expandMetricsPorts(config) : [];
    const llmBefore = await readLlmCounters(expandPorts);
    const usersStarted = Date.now();
    say(`publishing ${users.length} signup events to ${userQueue.name}`);
    await publishBodies(sqs, userQueue.url, users.map((user) => JSON.stringify(user.signup)));
    const lists = new Map<string, RecommendationList>();
    const usersDone = await waitUntilDone(
      async () => {
        const pending = users.filter((user) => !lists.has(user.userId));
        const found = await Promise.all(pending.map((user) => store.get(user.userId)));
        pending.forEach((user, i) => {
          const list = found[i];
          if (list && list.eventId === user.signup.eventId) lists.set(user.userId, list);
        });
        return { done: lists.size, total: users.length };
      },
      // A pool that is killed and restarted hands its jobs back after its lock lapses (30 s).
      { timeoutMs, stallMs: 120_000, onProgress: (p) => p.done > 0 && p.done % 50 === 0 && say(`served ${p.done}/${p.total}`) },
    );
    const finished = Date.now();
    const llmUsage = countersSince(llmBefore, await readLlmCounters(expandPorts));
    const served = [...lists.values()];
    const expansionSources: Record<string, number> = {};
    for (const list of served) expansionSources[list.expansion.source] = (expansionSources[list.expansion.source] ?? 0) + 1;
    const timesToRecs = served.map((list) => Date.parse(list.generatedAt) - usersStarted).sort((a, b) => a - b);

    const report: DemoReport = {
      fold: options.fold,
      encoder: config.ENCODER,
      users: users.flatMap((user) => {
        const list = lists.get(user.userId);
        if (!list) return [];
        return [
          {
            userId: user.userId,
            seedItem: String(user.seed.bookId),
            seedTitle: user.seed.title,
            topics: list.topics,
            expansion: list.expansion,
            recommendations: list.items.map(({ itemId, title, score, reason }) => ({ itemId, title, score, reason })),
          },
        ];
      }),
      elapsedMs: finished - started,
      catalog: {
        items: items.length,
        indexed: catalogDone.done,
        elapsedMs: catalogMs,
        stages: await stageTimings(redis, QueuePartitions.of(config), items.map((e) => e.eventId), ITEM_STAGES),
      },
      history,
      signups: {
        users: users.length,
        served: lists.size,
        elapsedMs: finished - usersStarted,
        stages: await stageTimings(redis, QueuePartitions.of(config), users.map((u) => u.signup.eventId), USER_STAGES),
        timeToRecommendationMs: { p50: percentile(timesToRecs, 50), p99: percentile(timesToRecs, 99) },
      },
      expansionSources,
      ...(config.LLM_BASE_URL
        ? {
            llm: {
              ...llmUsage,
              baseUrl: config.LLM_BASE_URL,
              model: config.LLM_MODEL ?? '',
              expandProcesses: config.EXPAND_PROCESSES,
              callsPerUser: served.length > 0 ? Number((llmUsage.calls / served.length).toFixed(4)) : 0,
            },
          }
        : {}),
      unserved: users.filter((user) => !lists.has(user.userId)).map((user) => user.userId),
    };
    if (!usersDone.complete) {
      throw new DemoIncompleteError(
        `${report.unserved.length} of ${users.length} users have no recommendations: ${report.unserved.slice(0, 20).join(', ')}${report.unserved.length > 20 ? ', …' : ''} (see the pools' logs in ${config.COLDSTART_STATE_DIR}/logs)`,
        report,
      );
    }
    return report;
  } finally {
    sqs.destroy();
    await redis.quit();
  }
}
