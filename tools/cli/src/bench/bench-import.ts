import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createRedis } from '@coldstart/queues';
import { interactionsImport, numberedLines, positiveIntOption, readStats, type ImportSummary } from '@coldstart/ops';
import { seededRandom } from '@coldstart/runtime';
import type { CliConfig } from '../config.js';
import { startIsolatedConfig } from '../stack/isolated-stack.js';
import { stackUp } from '../stack/stack.js';
import { redisCpuTotalMs, stackCpuMs } from './bench-pipeline-cpu.js';

export interface ImportRun {
  seconds: number;
  rowsPerSecond: number;
  summary: ImportSummary;
  /** CPU ms per 1,000 rows: the importer (this process), the index pool (the writer) and Redis. */
  cpuMsPerThousandRows: { importer: number; workerIndex: number; redis: number };
}

export interface BenchImportReport {
  rows: number;
  users: number;
  items: number;
  first: ImportRun;
  /** The same file again: every row a duplicate, the model unchanged. */
  again: ImportRun;
  /** Likes in the behaviour model (`stats`' interactions) before the timed imports (the warm-up's) and after each. */
  interactions: { before: number; afterFirst: number; afterAgain: number };
}

/**
 * Synthetic history in the import's CSV form: `users` readers with about 20 interactions each on
 * a long-tailed catalog (item i drawn with weight ~ 1/(i+10)), ratings 1–5 or empty, in time order.
 */
async function writeHistory(file: string, rows: number, items: number, readers: string): Promise<number> {
  const random = seededRandom('bench import', readers, rows);
  const users = Math.max(1, Math.round(rows / 20));
  const out = createWriteStream(file);
  const started = Date.parse('2024-01-01T00:00:00Z');
  out.write('userId,itemId,rating,occurredAt\n');
  for (let i = 0; i < rows; i += 1) {
    const user = Math.floor(random() * users);
    const item = Math.floor((items + 10) ** random() - 1) % items;
    const rating = random() < 0.3 ? '' : String(1 + Math.floor(random() * 5));
    if (!out.write(`${readers}-${user},book-${item},${rating},${new Date(started + i * 1_000).toISOString()}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return users;
}

/**
 * `coldstart bench import`: `interactions import` of a synthetic CSV into a stack of its own
 * (its own Redis and the index pool as a process), timed from the first line read to the last
 * batch learned, then the same file again. A warm-up import (other users) goes first, untimed,
 * so the pool's start and script loading are not in the figure.
 */
export async function runBenchImport(base: CliConfig, options: { rows: number; items: number }, say: (line: string) => void): Promise<BenchImportReport> {
  const stack = await startIsolatedConfig(base, 'bench-import', {});
  const { config } = stack;
  const redis = createRedis(config.REDIS_URL, 'producer', undefined, { lazyConnect: true });
  try {
    await stackUp(config, { apps: ['worker-index'] });
    await redis.connect();
    const file = join(config.COLDSTART_STATE_DIR, 'interactions.csv');
    const warmup = join(config.COLDSTART_STATE_DIR, 'warmup.csv');
    const users = await writeHistory(file, options.rows, options.items, 'reader');
    // Other readers than the timed file's: its first import must find none of its rows.
    await writeHistory(warmup, 2_000, options.items, 'warmup-reader');
    const io = { progress: process.stderr, problem: (problem: { line: number; error: string }) => say(JSON.stringify(problem)) };
    const importFile = (path: string) => interactionsImport(config, numberedLines(createReadStream(path)), { format: 'csv' }, io);
    await importFile(warmup);
    const timed = async (label: string): Promise<ImportRun> => {
      say(`bench import: ${label}, ${options.rows} rows`);
      const [cpu, pool, redisCpu, started] = [process.cpuUsage(), stackCpuMs(config)['worker-index'] ?? 0, await redisCpuTotalMs(redis), performance.now()];
      const summary = await importFile(file);
      const seconds = (performance.now() - started) / 1_000;
      const used = process.cpuUsage(cpu);
      const perThousand = (ms: number) => Math.round((ms / options.rows) * 1_000 * 10) / 10;
      return {
        seconds: Math.round(seconds * 100) / 100,
        rowsPerSecond: Math.round(options.rows / seconds),
        summary,
        cpuMsPerThousandRows: {
          importer: perThousand((used.user + used.system) / 1_000),
          workerIndex: perThousand((stackCpuMs(config)['worker-index'] ?? 0) - pool),
          redis: perThousand((await redisCpuTotalMs(redis)) - redisCpu),
        },
      };
    };
    const before = (await readStats(config)).interactions;
    const first = await timed('first import');
    const afterFirst = (await readStats(config)).interactions;
    const again = await timed('the same file again');
    const afterAgain = (await readStats(config)).interactions;
    return { rows: options.rows, users, items: options.items, first, again, interactions: { before, afterFirst, afterAgain } };
  } finally {
    redis.disconnect();
    await stack.down();
  }
}

const describeRun = (run: ImportRun) =>
  `${run.rowsPerSecond} rows/s (${run.seconds} s): imported ${run.summary.imported}, duplicates ${run.summary.duplicates}; CPU ms per 1,000 rows: importer ${run.cpuMsPerThousandRows.importer}, worker-index ${run.cpuMsPerThousandRows.workerIndex}, redis ${run.cpuMsPerThousandRows.redis}`;

export function registerBenchImportCommand(bench: Command, loadConfig: () => CliConfig): void {
  bench
    .command('import')
    .description('`interactions import` throughput: a synthetic CSV into a stack of its own (Redis, the index pool), then the same file again')
    .option('--rows <n>', 'rows imported', positiveIntOption, 200_000)
    .option('--items <n>', 'catalog size the rows draw from (long-tailed)', positiveIntOption, 10_000)
    .option('--json', 'print {"rows", "first": {"rowsPerSecond", "summary", "cpuMsPerThousandRows", …}, "again": {…}, "interactions": {"before", "afterFirst", "afterAgain"}}')
    .action(async (options: { rows: number; items: number; json?: boolean }) => {
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const report = await runBenchImport(loadConfig(), options, say);
      if (options.json) {
        console.log(JSON.stringify(report));
        return;
      }
      console.log(`${report.rows} rows (${report.users} users, ${report.items} items)`);
      console.log(`  first import:  ${describeRun(report.first)}`);
      console.log(`  again:         ${describeRun(report.again)}`);
      const { before, afterFirst, afterAgain } = report.interactions;
      console.log(`  interactions (stats): ${before} before (the warm-up's), ${afterFirst} after the first import, ${afterAgain} after the second`);
    });
}
