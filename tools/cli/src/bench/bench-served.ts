import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Command, Option } from 'commander';
import type { UserSignup } from '@coldstart/events';
import { bookItemEvent, FOLD_NAMES, loadFold, type FoldName } from '@coldstart/goodbooks';
import { positiveIntOption } from '@coldstart/ops';
import { mulberry32, waitUntil } from '@coldstart/runtime';
import type { CliConfig } from '../config.js';
import { bootstrapCi, mean, scoreList } from '../eval/metrics.js';
import { isPositive, splitFold, type EvalCase } from '../eval/eval-protocol.js';
import { repoRoot } from '../repo-paths.js';
import { startIsolatedConfig } from '../stack/isolated-stack.js';
import { stackUp } from '../stack/stack.js';

const run = promisify(execFile);
const K = 10;
const round = (x: number) => Number(x.toFixed(4));

export interface BenchServedReport {
  fold: FoldName;
  k: number;
  /** Test users signed up, and how many of them the API served a list. */
  users: number;
  served: number;
  items: { sent: number; searchable: number };
  interactions: { imported: number; inModel: number };
  /** NDCG@K of what the API served, and of "most popular among the earlier readers" on the same users. */
  ndcg: { served: number; servedCi: [number, number]; popularity: number; popularityCi: [number, number] };
  elapsedMs: number;
}

/**
 * `coldstart bench served`: what a team adopting coldstart would see, on a goodbooks fold the
 * ranking was never tuned on (c by default). A stack of its own gets the fold's catalog with
 * `events send`, the earlier readers' ratings with `interactions import` and the test users'
 * signups with `events send` (the CLI's own commands, run as a user runs them); each list is
 * read back from the API and scored on what the user went on to like, beside the most popular
 * books among the same earlier readers. Every signup must get a list.
 */
export async function runBenchServed(base: CliConfig, options: { fold: FoldName; users: number; timeoutSeconds: number }, say: (line: string) => void): Promise<BenchServedReport> {
  const started = Date.now();
  const fold = await loadFold(options.fold);
  const split = splitFold(fold, { seed: 42, protocol: 'cold-start' });
  const cases = split.cases.filter((c): c is EvalCase & { seed: NonNullable<EvalCase['seed']> } => c.seed !== undefined).slice(0, options.users);
  const stack = await startIsolatedConfig(base, 'bench-served', {});
  const { config } = stack;
  const dir = config.COLDSTART_STATE_DIR;
  const env = { ...process.env, ...Object.fromEntries(Object.entries(config).map(([key, value]) => [key, String(value)])) };
  const cli = async (...args: string[]) => (await run(process.execPath, [join(repoRoot(), 'tools/cli/bin/coldstart.js'), ...args], { env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  const stats = async () => JSON.parse(await cli('stats', '--json')) as { items: number; interactions: number };
  try {
    await stackUp(config);
    const now = new Date().toISOString();
    await writeFile(join(dir, 'items.jsonl'), fold.books.map((book) => JSON.stringify(bookItemEvent(book, `served-item-${book.bookId}`, now))).join('\n') + '\n');
    await writeFile(
      join(dir, 'interactions.csv'),
      'userId,itemId,rating,occurredAt\n' + split.training.map((r) => `reader-${r.userId},${r.bookId},${r.rating ?? ''},`).join('\n') + '\n',
    );
    const signups: UserSignup[] = cases.map((c) => ({
      schemaVersion: 1,
      type: 'user.signup',
      eventId: `served-signup-${c.userId}`,
      occurredAt: now,
      userId: `new-${c.userId}`,
      interests: { ...(c.category ? { categories: [c.category] } : {}), items: [{ itemId: String(c.seed.book.bookId), ...(c.seed.rating !== undefined ? { rating: c.seed.rating } : {}) }] },
      locale: 'en',
    }));
    await writeFile(join(dir, 'signups.jsonl'), signups.map((s) => JSON.stringify(s)).join('\n') + '\n');

    say(`events send: ${fold.books.length} items of fold ${options.fold}`);
    await cli('events', 'send', '--queue', 'item-events', '--file', join(dir, 'items.jsonl'), '--json');
    // The catalog is in once what a replica can search stops growing and nothing is queued.
    let searchable = 0;
    let stableSince = Date.now();
    await waitUntil(
      async () => {
        const items = (await stats()).items;
        if (items !== searchable) [searchable, stableSince] = [items, Date.now()];
        return searchable > 0 && Date.now() - stableSince > 5_000;
      },
      { timeoutMs: options.timeoutSeconds * 1_000, intervalMs: 1_000 },
    );
    say(`interactions import: ${split.training.length} ratings of earlier readers`);
    const imported = JSON.parse(await cli('interactions', 'import', '--file', join(dir, 'interactions.csv'), '--json')) as { imported: number };
    const inModel = (await stats()).interactions;
    say(`events send: ${signups.length} signups`);
    await cli('events', 'send', '--queue', 'user-events', '--file', join(dir, 'signups.jsonl'), '--json');

    const lists = new Map<number, number[]>();
    await waitUntil(
      async () => {
        for (const c of cases) {
          if (lists.has(c.userId)) continue;
          // The local stack's API runs without a token (it says so in its log).
          const response = await fetch(`http://127.0.0.1:${config.API_PORT}/v1/users/new-${c.userId}/recommendations`);
          if (response.status === 200) lists.set(c.userId, ((await response.json()) as { items: { itemId: string }[] }).items.map((i) => Number(i.itemId)));
        }
        return lists.size === cases.length;
      },
      { timeoutMs: options.timeoutSeconds * 1_000, intervalMs: 1_000 },
    );

    // "Most popular" from the same earlier readers' likes.
    const likes = new Map<number, number>();
    for (const r of split.training) if (isPositive(r)) likes.set(r.bookId, (likes.get(r.bookId) ?? 0) + 1);
    const popular = [...likes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([bookId]) => bookId);
    const servedScores = cases.map((c) => scoreList((lists.get(c.userId) ?? []).slice(0, K), c.relevant, K).ndcg);
    const popularScores = cases.map((c) => scoreList(popular.filter((id) => id !== c.seed.book.bookId).slice(0, K), c.relevant, K).ndcg);
    const ci = (values: number[], salt: number) => bootstrapCi(values, mulberry32(42 ^ salt)).map(round) as [number, number];
    return {
      fold: options.fold,
      k: K,
      users: cases.length,
      served: lists.size,
      items: { sent: fold.books.length, searchable },
      interactions: { imported: imported.imported, inModel },
      ndcg: { served: round(mean(servedScores)), servedCi: ci(servedScores, 1), popularity: round(mean(popularScores)), popularityCi: ci(popularScores, 2) },
      elapsedMs: Date.now() - started,
    };
  } finally {
    await stack.down();
  }
}

export function registerBenchServedCommand(bench: Command, loadConfig: () => CliConfig): void {
  bench
    .command('served')
    .description('a fold the ranking was never tuned on, loaded as a team would (events send, interactions import), each list read from the API: served NDCG@10 against most-popular')
    .addOption(new Option('--fold <fold>', 'goodbooks fold (c: held out from tuning)').choices(FOLD_NAMES).default('c'))
    .option('--users <n>', 'test users signed up', positiveIntOption, 500)
    .option('--timeout <seconds>', 'give up waiting for the catalog or the lists after this long', positiveIntOption, 900)
    .option('--json', 'print {"fold", "k", "users", "served", "items", "interactions", "ndcg": {"served", "servedCi", "popularity", "popularityCi"}, "elapsedMs"}')
    .action(async (options: { fold: FoldName; users: number; timeout: number; json?: boolean }) => {
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const report = await runBenchServed(loadConfig(), { fold: options.fold, users: options.users, timeoutSeconds: options.timeout }, say);
      if (report.served < report.users) process.exitCode = 1;
      if (options.json) return console.log(JSON.stringify(report));
      const ci = ([lo, hi]: [number, number]) => `[${lo.toFixed(3)}, ${hi.toFixed(3)}]`;
      console.log(`fold ${report.fold}: ${report.served}/${report.users} signups served; ${report.items.searchable}/${report.items.sent} items searchable; ${report.interactions.inModel} likes learned`);
      console.log(`NDCG@${report.k}: served ${report.ndcg.served.toFixed(3)} ${ci(report.ndcg.servedCi)}, most popular ${report.ndcg.popularity.toFixed(3)} ${ci(report.ndcg.popularityCi)}`);
    });
}
