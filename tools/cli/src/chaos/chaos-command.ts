import type { Command } from 'commander';
import { numberOption, positiveIntOption } from '@coldstart/ops';
import type { CliConfig } from '../config.js';
import { runChaos, type ChaosReport } from './run-chaos.js';

const share = numberOption('must be a share between 0 and 1, e.g. 0.3', { min: 0, max: 1 });

function renderS3Faults(s3: NonNullable<ChaosReport['detail']['s3Faults']>): string[] {
  const { proxy, snapshotTraffic, check } = s3;
  return [
    `S3 faults on ${proxy.writes} writes: ${proxy.errorsInjected.InternalError} InternalError, ${proxy.errorsInjected.SlowDown} SlowDown, ${proxy.delaysInjected} delayed; ${proxy.reads} reads untouched`,
    `snapshots committed ${snapshotTraffic.pointerMoves} (${snapshotTraffic.uploads} uploads), rounds the writer gave up on ${s3.snapshotRoundsFailed}, replica starts from a snapshot ${snapshotTraffic.loads}`,
    ...check.indexes.map(
      (index) =>
        `index ${index.index}: LATEST ${index.latest?.snapshotId ?? 'none'} ${index.latestVerifies ? 'verifies' : 'does NOT verify'}${index.coversLog ? ', covers the whole log' : ''}; a replica from it holds ${index.replica?.items ?? 0} items`,
    ),
    `catalog ${check.catalogItems} items, replicas from the snapshots ${check.replicaItems}: ${s3.verified ? 'the same' : `NOT verified: ${check.problems.join('; ')}`}`,
  ];
}

function render(report: ChaosReport): string {
  const d = report.detail;
  return [
    `users ${report.users}, items ${report.items}: served ${report.served}, lost ${report.lost}, duplicate writes ${report.duplicateWrites}`,
    `kills ${report.kills}${d.redisRestart ? `, Redis crashed at ${d.redisRestart.atMs} ms and back after ${d.redisRestart.downMs} ms` : ''}`,
    `time to recommendations: p50 ${report.p50MsToRecs} ms, p99 ${report.p99MsToRecs} ms${d.llm ? ` (bound with LLM faults: ${d.llm.p99BoundMs} ms)` : ''}`,
    `behaviour model: ${d.behaviour.logged} likes logged for ${d.behaviour.expectedLikes} expected, ${d.behaviour.lost} lost, ${d.behaviour.doubled} counted twice`,
    `repeats absorbed by the store ${d.repeatsAbsorbed}, failed jobs ${d.failedJobs}, dead letters ${d.deadLetters}, left in SQS ${d.leftInSqs}`,
    ...(d.s3Faults ? renderS3Faults(d.s3Faults) : []),
    `elapsed ${d.elapsedMs} ms${d.drained ? '' : ' (did NOT drain)'}`,
  ].join('\n');
}

/** `coldstart chaos`: added beside `demo`. */
export function registerChaosCommand(program: Command, loadConfig: () => CliConfig): void {
  program
    .command('chaos')
    .description('on a stack of its own: publish M items and N signups through SQS while SIGKILLing random pool/ingest processes (and crashing Redis, and failing the LLM); then check every event')
    .requiredOption('--users <n>', 'signups to publish', positiveIntOption)
    .requiredOption('--items <n>', 'catalog items to publish (the goodbooks books, then suffixed copies of them)', positiveIntOption)
    .option('--kill-every <seconds>', 'SIGKILL one random pool or ingest process this often, and restart it', positiveIntOption)
    .option('--redis-restart', 'crash the stack\'s own Redis (SIGKILL; AOF on) once half the users are served, and restart it')
    .option('--llm-faults <share>', 'expand through a local LLM server failing this share of requests (half HTTP 500, half hangs)', share)
    .option('--s3-faults <share>', 'snapshot the indexes to the stack\'s S3 emulator through a proxy failing (500 InternalError or 503 SlowDown) or delaying (1–3 s) this share of the writes, half and half; then check that LATEST verifies and restores to the catalog\'s items', share)
    .option('--llm-latency-ms <ms>', 'the local LLM server\'s fixed latency with --llm-faults', positiveIntOption, 200)
    .option('--rate <users-per-second>', 'publish signups at this rate (default: all at once)', positiveIntOption)
    .option('--expand-processes <n>', 'worker-expand processes (default $EXPAND_PROCESSES or 1)', positiveIntOption)
    .option('--timeout <seconds>', 'give up waiting for the drain after this long', positiveIntOption, 3600)
    .option('--redis-cluster <masters>', 'run the stack on a local Redis Cluster of this many masters instead of one redis-server', positiveIntOption)
    .option('--queue-partitions <n>', 'the pools\' queues in this many partitions (QUEUE_PARTITIONS; default $QUEUE_PARTITIONS or 1)', positiveIntOption)
    .option('--keep-state', 'keep the stack\'s state dir (logs, AOF) afterwards; kept anyway when the run fails')
    .option('--json', 'print {"users", "items", "served", "lost", "duplicateWrites", "kills", "p50MsToRecs", "p99MsToRecs", "detail"}')
    .action(
      async (options: {
        users: number;
        items: number;
        killEvery?: number;
        redisRestart?: boolean;
        llmFaults?: number;
        s3Faults?: number;
        llmLatencyMs: number;
        rate?: number;
        expandProcesses?: number;
        timeout: number;
        redisCluster?: number;
        queuePartitions?: number;
        keepState?: boolean;
        json?: boolean;
      }) => {
        const say = (line: string) => process.stderr.write(`${line}\n`);
        const config = loadConfig();
        if (options.queuePartitions !== undefined) config.QUEUE_PARTITIONS = options.queuePartitions;
        const report = await runChaos(
          config,
          {
            users: options.users,
            items: options.items,
            redisRestart: options.redisRestart ?? false,
            llmLatencyMs: options.llmLatencyMs,
            timeoutSeconds: options.timeout,
            keepState: options.keepState ?? false,
            ...(options.killEvery !== undefined ? { killEverySeconds: options.killEvery } : {}),
            ...(options.llmFaults !== undefined ? { llmFaults: options.llmFaults } : {}),
            ...(options.s3Faults !== undefined ? { s3Faults: options.s3Faults } : {}),
            ...(options.rate !== undefined ? { ratePerSecond: options.rate } : {}),
            ...(options.expandProcesses !== undefined ? { expandProcesses: options.expandProcesses } : {}),
            ...(options.redisCluster !== undefined ? { redisCluster: options.redisCluster } : {}),
          },
          say,
        );
        console.log(options.json ? JSON.stringify(report) : render(report));
        // A run that lost events or wrote twice, or whose snapshots do not restore, is a failed run, for scripts and CI alike.
        if (report.lost > 0 || report.duplicateWrites > 0 || report.served < report.users || report.detail.s3Faults?.verified === false) process.exitCode = 1;
      },
    );
}
