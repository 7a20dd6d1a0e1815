import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createSqsClient } from '@coldstart/aws';
import type { UserSignup } from '@coldstart/events';
import type { ExpansionInput } from '@coldstart/expander';
import { startLlmServer } from '@coldstart/llm-server';
import { loadEncoderWithFixtures } from '@coldstart/t5-fixtures';
import { percentile } from '@coldstart/runtime';
import { positiveIntOption } from '@coldstart/ops';
import { createRedis, QueuePartitions } from '@coldstart/queues';
import { modelsDir, type CliConfig } from '../config.js';
import { chaosEvents } from '../workload/chaos-events.js';
import { startIsolatedConfig } from '../stack/isolated-stack.js';
import { OutcomeTracker } from '../workload/outcome-tracker.js';
import { publishPaced } from '../workload/paced-publisher.js';
import { sumCounter } from '../workload/llm-usage.js';
import { waitUntilDone } from '../workload/wait-until.js';
import { emulatorPid, metricsPort, stackUp } from '../stack/stack.js';
import { callsSince, cpuSince, ownCpuMs, processCpuMs, redisCommandCalls, redisCpuMs, slotGroupsByServer, stackCpuMs } from './bench-pipeline-cpu.js';
import { runSequentialBaseline, type SequentialReport } from './bench-pipeline-sequential.js';

export interface BenchPipelineOptions {
  users: number;
  llmLatencyMs: number;
  /** Users the sequential baseline serves: its rate is steady, so a sample measures it. */
  baselineUsers: number;
  expandProcesses: number;
  timeoutSeconds: number;
  /** Where each pool writes a V8 CPU profile (`--cpu-prof`) when the stack stops; none: no profiles. */
  cpuProfDir?: string;
  /** Run the stack on a local Redis Cluster of this many masters instead of one redis-server. */
  redisCluster?: number;
  /** Publish the signups at this many per second instead of all at once. */
  rate?: number;
}

export interface BenchPipelineReport {
  users: number;
  llmLatencyMs: number;
  encoder: string;
  pipeline: {
    /** Users served per second, from the first signup published to the last list written. */
    usersPerSec: number;
    p50MsToRecs: number | null;
    p99MsToRecs: number | null;
    served: number;
    elapsedMs: number;
    /** CPU ms per signup in the ingest and the pools, encoder time taken out (see cpu.note). */
    cpuMsPerEvent: number;
    /** CPU ms per signup: ours (= cpuMsPerEvent), redis-server's, and the two together. */
    cpuMsPerSignup: { ours: number; redis: number; total: number };
    /** Signups per signup flow (per recommend-user job), on average: what each stage's per-job cost is shared by. */
    signupsPerJob: number;
    /** Signups per second published (`--rate`); null: all at once. */
    publishedPerSec: number | null;
    cpu: {
      totalMs: number;
      encoderMsEstimate: number;
      textsEncoded: number;
      /** Ours by process, and beside them `redis-server`, `sqs-emulator` and `bench` (this process: the LLM server, the publisher, the progress reads). */
      byProcess: Record<string, number>;
      note: string;
    };
    /** Redis commands per signup over the signups phase (INFO commandstats), all and by command. */
    /** Over every server of a cluster: commands summed, CPU per server beside `cpu.byProcess["redis-server"]` (their sum). */
    redis: { commandsPerSignup: number; byCommand: Record<string, number>; servers: number; cpuMsPerSignupByServer: Record<string, number>; slotGroupsByServer: Record<string, string[]> };
    expandProcesses: number;
    expansionSources: Record<string, number>;
    /** HTTP requests to the LLM server over the signups phase, and the conversations they carried (LLM_BATCH_MAX puts several in one request). */
    llmRequests: number;
    llmConversations: number;
    /**
     * The recommend pool's content searches over the signups phase and the share its kept
     * answers served (coldstart_search_cache_reads_total). The bench's topics are catalog
     * categories (its LLM stand-in answers with them) and its seeds catalog books, so they repeat
     * often; an LLM naming topics more freely repeats less, and the share is lower.
     */
    searches: { total: number; answeredShare: number };
  };
  sequential: SequentialReport;
  /** Pipeline users/s over the sequential baseline's. */
  speedup: number;
  cache: string;
}

/** Each signup's unique second interest: with it no expansion cache key, nor in-flight coalescing key, repeats. */
function uniqueInterests(signup: UserSignup, runId: string, i: number): UserSignup {
  return { ...signup, interests: { ...signup.interests, categories: [...(signup.interests.categories ?? []), `bench reader ${runId} ${i}`] } };
}

async function readMetric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return sumCounter(await response.text(), name, labels);
}

/**
 * `coldstart bench pipeline`: the same users through the notebook's sequential loop and through
 * the real stack (own Redis, SQS emulator, every pool its own process), both against one local
 * LLM server with a fixed latency and with no expansion cache hit possible.
 */
export async function runBenchPipeline(base: CliConfig, options: BenchPipelineOptions, say: (line: string) => void): Promise<BenchPipelineReport> {
  const llm = await startLlmServer({ faults: { latency: { kind: 'fixed', ms: options.llmLatencyMs } } });
  const model = 'coldstart-local';
  const runId = Date.now().toString(36);
  const events = await chaosEvents(1259, options.users + options.baselineUsers, runId, new Date().toISOString());
  const signups = events.users.map((u, i) => uniqueInterests(u.signup, runId, i));
  const titles = new Map(events.items.map((e) => [e.itemId, e]));
  const inputOf = (signup: UserSignup): ExpansionInput => ({
    userId: signup.userId,
    categories: signup.interests.categories ?? [],
    seedItems: (signup.interests.items ?? []).flatMap(({ itemId }) => {
      const item = titles.get(itemId);
      return item ? [{ itemId, title: item.title, categories: item.categories ?? [] }] : [];
    }),
  });

  // The stack's users come first, the baseline's sample after them, so neither reuses the other's prompts.
  const stackSignups = signups.slice(0, options.users);
  const baselineInputs = signups.slice(options.users).map(inputOf);

  const stack = await startIsolatedConfig(base, 'bench', {
    // The LLM server here has no capacity limit to protect; the budget would cap the pipeline at 20 requests/s.
    LLM_RATE_LIMIT_PER_SEC: '0',
    // Each process writes its profile when it exits (the stack stops them at the end).
    ...(options.cpuProfDir ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${options.cpuProfDir}`.trim() } : {}),
  }, options.redisCluster ? { redisCluster: options.redisCluster } : {});
  const config = stack.config;
  config.LLM_BASE_URL = llm.baseUrl;
  config.LLM_MODEL = model;
  config.EXPAND_PROCESSES = options.expandProcesses;
  const redis = createRedis(config.REDIS_URL, 'producer', undefined, { lazyConnect: true });
  const sqs = createSqsClient({ region: config.AWS_REGION, endpoint: config.SQS_ENDPOINT });
  let keepState = false;
  try {
    say(`sequential baseline: ${baselineInputs.length} users, one at a time, LLM latency ${options.llmLatencyMs} ms`);
    const encoder = await loadEncoderWithFixtures(config.ENCODER, { modelsDir: modelsDir(config) });
    const sequential = await runSequentialBaseline({ baseUrl: llm.baseUrl, model, encoder, items: events.items, inputs: baselineInputs });

    const { queues } = await stackUp(config);
    const [userQueue, itemQueue] = queues;
    if (!userQueue || !itemQueue) throw new Error('the stack returned no event queues');
    await redis.connect();
    const catalogTracker = new OutcomeTracker(redis, QueuePartitions.of(config), events.items.map((e) => ({ itemId: e.itemId, eventId: e.eventId })), []);
    say(`pipeline: indexing ${events.items.length} catalog items (not timed)`);
    await publishPaced(sqs, itemQueue.url, events.items.map((e) => JSON.stringify(e)), undefined);
    const catalogDone = await waitUntilDone(async () => (await catalogTracker.poll(), { done: catalogTracker.indexedCount, total: events.items.length }), {
      timeoutMs: options.timeoutSeconds * 1000,
      stallMs: 120_000,
      intervalMs: 500,
    });
    await catalogTracker.close();
    if (!catalogDone.complete) throw new Error(`only ${catalogDone.done}/${catalogDone.total} catalog items were indexed`);

    const embedPort = metricsPort(config, 'worker-embed');
    const recommendPort = metricsPort(config, 'worker-recommend');
    const listsWritten = () => readMetric(recommendPort, 'coldstart_lists_stored_total', { job: 'recommend-user' });
    const emulator = emulatorPid(config);
    const textsBefore = await readMetric(embedPort, 'coldstart_embed_batch_size_sum');
    const listsBefore = await listsWritten();
    const signupJobs = () => readMetric(recommendPort, 'coldstart_jobs_total', { job: 'recommend-user', outcome: 'completed' });
    const jobsBefore = await signupJobs();
    const searchReads = async () => {
      const outcome = (name: string) => readMetric(recommendPort, 'coldstart_search_cache_reads_total', { outcome: name });
      const [answered, missed, dropped, short] = await Promise.all(['answered', 'missed', 'dropped', 'short'].map(outcome));
      return { answered: answered as number, total: (answered as number) + (missed as number) + (dropped as number) + (short as number) };
    };
    const searchesBefore = await searchReads();
    const [cpuBefore, redisBefore, callsBefore, emulatorBefore, benchBefore] = [stackCpuMs(config), await redisCpuMs(redis), await redisCommandCalls(redis), emulator ? processCpuMs(emulator) : 0, ownCpuMs()];
    const tracker = new OutcomeTracker(redis, QueuePartitions.of(config), [], stackSignups.map((s) => ({ userId: s.userId, eventId: s.eventId })));
    say(`pipeline: ${stackSignups.length} signups ${options.rate ? `at ${options.rate}/s` : 'at once'}, ${options.expandProcesses} expand processes`);
    const firstPublish = Date.now();
    const publishing = publishPaced(sqs, userQueue.url, stackSignups.map((s) => JSON.stringify(s)), options.rate);
    // Progress from the recommend pool's counter, not from Redis, so the bench adds next to no
    // Redis work to what it measures; the lists are read once, at the end.
    const done = await waitUntilDone(async () => ({ done: (await listsWritten()) - listsBefore, total: stackSignups.length }), {
      timeoutMs: options.timeoutSeconds * 1000,
      stallMs: 120_000,
      intervalMs: 250,
    });
    const sentAt = await publishing;
    const jobsDone = (await signupJobs()) - jobsBefore;
    const searchesAfter = await searchReads();
    const searches = { total: searchesAfter.total - searchesBefore.total, answered: searchesAfter.answered - searchesBefore.answered };
    const cpu = cpuSince(cpuBefore, stackCpuMs(config));
    const redisAfter = await redisCpuMs(redis);
    const redisByServer = Object.fromEntries(Object.entries(redisAfter).map(([server, ms]) => [server, ms - (redisBefore[server] ?? 0)]));
    const redisMs = Object.values(redisByServer).reduce((sum, ms) => sum + ms, 0);
    const calls = callsSince(callsBefore, await redisCommandCalls(redis));
    const outside = { 'redis-server': redisMs, 'sqs-emulator': emulator ? processCpuMs(emulator) - emulatorBefore : 0, bench: ownCpuMs() - benchBefore };
    const textsEncoded = (await readMetric(embedPort, 'coldstart_embed_batch_size_sum')) - textsBefore;
    await tracker.poll();
    await tracker.close();
    if (!done.complete || tracker.lists.size < stackSignups.length) {
      keepState = true;
      throw new Error(`${stackSignups.length - tracker.lists.size} of ${stackSignups.length} users were not served; logs in ${config.COLDSTART_STATE_DIR}/logs`);
    }

    const lists = stackSignups.map((s) => tracker.lists.get(s.userId)!);
    const generated = lists.map((list) => Date.parse(list.generatedAt));
    const elapsedMs = Math.max(...generated) - firstPublish;
    const times = generated.map((at, i) => at - (sentAt[i] ?? firstPublish)).sort((a, b) => a - b);
    const expansionSources: Record<string, number> = {};
    for (const list of lists) expansionSources[list.expansion.source] = (expansionSources[list.expansion.source] ?? 0) + 1;
    const totalMs = Object.values(cpu).reduce((sum, ms) => sum + ms, 0);
    const encoderMsEstimate = textsEncoded * sequential.encodeMsPerText;
    const perSignup = (ms: number) => Math.round((ms / stackSignups.length) * 100) / 100;
    const ours = perSignup(totalMs - encoderMsEstimate);
    const commands = Object.values(calls).reduce((sum, n) => sum + n, 0);
    const byCommand = Object.fromEntries(
      Object.entries(calls)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([name, n]) => [name, perSignup(n)]),
    );
    const usersPerSec = Math.round((stackSignups.length / (elapsedMs / 1000)) * 100) / 100;
    return {
      users: stackSignups.length,
      llmLatencyMs: options.llmLatencyMs,
      encoder: config.ENCODER,
      pipeline: {
        usersPerSec,
        p50MsToRecs: percentile(times, 50),
        p99MsToRecs: percentile(times, 99),
        served: lists.length,
        elapsedMs,
        cpuMsPerEvent: ours,
        cpuMsPerSignup: { ours, redis: perSignup(redisMs), total: Math.round((ours + perSignup(redisMs)) * 100) / 100 },
        signupsPerJob: jobsDone > 0 ? Math.round((stackSignups.length / jobsDone) * 10) / 10 : 0,
        publishedPerSec: options.rate ?? null,
        cpu: {
          totalMs,
          encoderMsEstimate: Math.round(encoderMsEstimate),
          textsEncoded,
          byProcess: { ...cpu, ...outside },
          note: 'ours: utime+stime of the ingest and pool processes (/proc/<pid>/stat, 10 ms ticks) over the signups phase, minus texts the encoder ran (coldstart_embed_batch_size_sum) × the encoder ms per text measured in the baseline; redis-server: INFO cpu used_cpu_user+used_cpu_sys over the same phase (its only clients are the stack and one final read of the lists by this bench); sqs-emulator and bench (this process: the LLM server, the publisher, progress reads over HTTP) are listed apart and not in the total; LLM time in the pools is waiting, not CPU',
        },
        redis: {
          commandsPerSignup: perSignup(commands),
          byCommand,
          servers: Object.keys(redisByServer).length,
          cpuMsPerSignupByServer: Object.fromEntries(Object.entries(redisByServer).map(([server, ms]) => [server, perSignup(ms)])),
          slotGroupsByServer: await slotGroupsByServer(redis, QueuePartitions.of(config)),
        },
        expandProcesses: options.expandProcesses,
        expansionSources,
        llmRequests: llm.stats().requests - sequential.users,
        llmConversations: llm.stats().conversations - sequential.users,
        searches: { total: searches.total, answeredShare: searches.total > 0 ? Math.round((searches.answered / searches.total) * 1000) / 1000 : 0 },
      },
      sequential,
      speedup: Math.round((usersPerSec / sequential.usersPerSec) * 10) / 10,
      cache: 'off in effect: every user carries a unique interest, so no expansion cache key (and no coalescing key) repeats; the apps are unchanged',
    };
  } finally {
    sqs.destroy();
    redis.disconnect();
    await llm.close();
    await stack.down({ keepState });
  }
}

/** `coldstart bench pipeline`: added to the existing `bench` group. */
export function registerBenchPipelineCommand(bench: Command, loadConfig: () => CliConfig): void {
  bench
    .command('pipeline')
    .description('users/s, time to recommendations and CPU per event of the real stack, against the published notebook\'s sequential loop, both on a local LLM server of fixed latency with no cache hits')
    .requiredOption('--users <n>', 'signups through the stack', positiveIntOption)
    .option('--llm-latency-ms <ms>', 'the local LLM server\'s fixed latency', positiveIntOption, 650)
    .option('--baseline-users <n>', 'users through the sequential baseline (its rate is steady; a sample measures it)', positiveIntOption, 20)
    .option('--expand-processes <n>', 'worker-expand processes, 64 jobs in flight each (default: $EXPAND_PROCESSES, 1, as the stack and the Helm chart run)', positiveIntOption)
    .option('--timeout <seconds>', 'give up waiting after this long', positiveIntOption, 1800)
    .option('--cpu-prof <dir>', 'each pool and the ingest write a V8 CPU profile (.cpuprofile) into this directory when the stack stops')
    .option('--rate <signups/s>', 'publish the signups at this rate instead of all at once (smaller batches: CPU per signup at a steady load)', positiveIntOption)
    .option('--redis-cluster <masters>', 'run the stack on a local Redis Cluster of this many masters (Redis CPU summed over them, and by server)', positiveIntOption)
    .option('--queue-partitions <n>', 'the pools\' queues in this many partitions (QUEUE_PARTITIONS; default $QUEUE_PARTITIONS or 1): on a cluster, the queues\' load over as many shards', positiveIntOption)
    .option('--json', 'print {"users", "pipeline": {"usersPerSec", "p50MsToRecs", "p99MsToRecs", "cpuMsPerEvent", "cpuMsPerSignup": {"ours", "redis", "total"}, "signupsPerJob", "publishedPerSec", "cpu": {"byProcess"}, "redis": {"commandsPerSignup", "byCommand"}, …}, "sequential": {…}, "speedup"}')
    .action(async (options: { users: number; llmLatencyMs: number; baselineUsers: number; expandProcesses?: number; timeout: number; cpuProf?: string; redisCluster?: number; queuePartitions?: number; rate?: number; json?: boolean }) => {
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const config = loadConfig();
      if (options.queuePartitions) config.QUEUE_PARTITIONS = options.queuePartitions;
      const report = await runBenchPipeline(
        config,
        {
          users: options.users,
          llmLatencyMs: options.llmLatencyMs,
          baselineUsers: options.baselineUsers,
          expandProcesses: options.expandProcesses ?? config.EXPAND_PROCESSES,
          timeoutSeconds: options.timeout,
          ...(options.cpuProf ? { cpuProfDir: resolve(options.cpuProf) } : {}),
          ...(options.redisCluster ? { redisCluster: options.redisCluster } : {}),
          ...(options.rate ? { rate: options.rate } : {}),
        },
        say,
      );
      if (options.json) {
        console.log(JSON.stringify(report));
        return;
      }
      const p = report.pipeline;
      const s = report.sequential;
      console.log(`pipeline   ${p.usersPerSec} users/s  p50 ${p.p50MsToRecs} ms  p99 ${p.p99MsToRecs} ms  (${p.expandProcesses} expand processes; ${p.signupsPerJob} signups per job, published ${p.publishedPerSec ? `at ${p.publishedPerSec}/s` : 'at once'})`);
      console.log(`CPU/signup ${p.cpuMsPerSignup.total} ms = ours ${p.cpuMsPerSignup.ours} + redis-server ${p.cpuMsPerSignup.redis}; ${p.redis.commandsPerSignup} Redis commands per signup${p.redis.servers > 1 ? ` over ${p.redis.servers} masters (${Object.entries(p.redis.cpuMsPerSignupByServer).map(([server, ms]) => `${server} ${ms} ms [${(p.redis.slotGroupsByServer[server] ?? []).join(', ')}]`).join(', ')})` : ''}`);
      const perSignup = (ms: number) => (ms / report.users).toFixed(2);
      console.log(`searches   ${p.searches.total} content searches, ${Math.round(p.searches.answeredShare * 100)} % answered from kept answers`);
      console.log(`by process ${Object.entries(p.cpu.byProcess).map(([name, ms]) => `${name} ${perSignup(ms)}`).join(', ')} (ms per signup)`);
      console.log(`sequential ${s.usersPerSec} users/s  p50 ${s.p50MsToRecs} ms  p99 ${s.p99MsToRecs} ms  (${s.users} users)`);
      console.log(`speedup    ${report.speedup}×  (LLM latency ${report.llmLatencyMs} ms, ${report.cache})`);
    });
}
