import { type Command, Option } from 'commander';
import { FOLD_NAMES, loadFold, type FoldName } from '@coldstart/goodbooks';
import { positiveIntOption } from '@coldstart/ops';
import { mulberry32 } from '@coldstart/runtime';
import type { CliConfig } from '../config.js';
import { bootstrapCi, mean, scoreList } from '../eval/metrics.js';
import { isPositive, splitFold } from '../eval/eval-protocol.js';
import { startIsolatedConfig } from '../stack/isolated-stack.js';
import { stackUp } from '../stack/stack.js';
import { FoldOnStack, type SeededCase } from '../workload/fold-on-stack.js';

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
  const goodbooks = await loadFold(options.fold);
  const split = splitFold(goodbooks, { seed: 42, protocol: 'cold-start' });
  const cases = split.cases.filter((c): c is SeededCase => c.seed !== undefined).slice(0, options.users);
  const stack = await startIsolatedConfig(base, 'bench-served', {});
  const fold = new FoldOnStack(stack.config, say);
  const timeoutMs = options.timeoutSeconds * 1_000;
  try {
    await stackUp(stack.config);
    const searchable = await fold.sendCatalog(goodbooks, timeoutMs);
    const { imported, inModel } = await fold.importEarlierReaders(split);
    await fold.signUp(cases, 'served');
    const served = await fold.readLists(cases, timeoutMs);
    const lists = new Map([...served].map(([userId, list]) => [userId, list.items.map((i) => Number(i.itemId))]));

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
      items: { sent: goodbooks.books.length, searchable },
      interactions: { imported, inModel },
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
