import { type Command, Option } from 'commander';
import type { UserInteraction } from '@coldstart/events';
import { renderExperimentReport, type ExperimentReport } from '@coldstart/experiments';
import { FOLD_NAMES, loadFold, type FoldName, type Rating } from '@coldstart/goodbooks';
import { BASELINE_EXPANDERS, ExperimentVariant } from '@coldstart/llm';
import { positiveIntOption, readExperimentReport } from '@coldstart/ops';
import { waitUntil } from '@coldstart/runtime';
import type { CliConfig } from '../config.js';
import { isPositive, splitFold, type EvalCase } from '../eval/eval-protocol.js';
import { startIsolatedConfig } from '../stack/isolated-stack.js';
import { stackUp } from '../stack/stack.js';
import { FoldOnStack, userIdOf } from '../workload/fold-on-stack.js';

/** Who signs up: as `coldstart eval --protocol` splits the fold (a seed book and its genre, or the genre alone). */
export const SIMULATED_PROTOCOLS = ['cold-start', 'category-only'] as const;
export type SimulatedProtocol = (typeof SIMULATED_PROTOCOLS)[number];

/** The experiment the rehearsal runs under (LLM_EXPERIMENT of its stack). */
export const SIMULATED_EXPERIMENT = 'simulate';

/** What the rehearsal counted itself, from the fold's ratings and the lists the API served: the report must agree. */
export interface IndependentCount {
  name: string;
  lists: number;
  clicks: number;
  positives: number;
  positiveRate: number;
}

/** `simulate --json`: the experiments report, plus what the rehearsal sent and counted itself. */
export type SimulateReport = ExperimentReport & {
  simulation: { fold: FoldName; protocol: SimulatedProtocol; users: number; served: number; interactionsSent: number; independent: IndependentCount[]; elapsedMs: number };
};

/**
 * The variants of the rehearsal as LLM_VARIANTS entries: `catalog` and `seed-only` are the
 * baseline arms (named as `coldstart eval --expanders` names them), any other name an entry of
 * the LLM_VARIANTS this command runs with. Equal weights.
 */
export function simulatedVariants(names: readonly string[], env: NodeJS.ProcessEnv): Record<string, ExperimentVariant> {
  const configured = env.LLM_VARIANTS ? (JSON.parse(env.LLM_VARIANTS) as Record<string, unknown>) : {};
  return Object.fromEntries(
    names.map((name) => {
      if ((BASELINE_EXPANDERS as readonly string[]).includes(name)) return [name, { expander: name, weight: 1 } as ExperimentVariant];
      const entry = configured[name];
      if (entry === undefined) {
        throw new Error(`unknown variant ${JSON.stringify(name)}: use ${BASELINE_EXPANDERS.join(', ')} or an entry of LLM_VARIANTS (${Object.keys(configured).join(', ') || 'unset'})`);
      }
      return [name, ExperimentVariant.parse({ ...(entry as object), weight: 1 })];
    }),
  );
}

/**
 * `coldstart simulate`: rehearses an A/B test of expansion variants before it goes live. A
 * stack of its own runs the variants as an experiment (users split between them by the stable
 * hash, as in production); the fold's catalog and earlier readers go in as `bench served` loads
 * them, its test users sign up, each list is read once from the API (the impression), and each
 * user's real later ratings of books in that list are sent as user.interaction events carrying
 * its recommendationId. Ratings of books the list did not hold are not sent: they are no
 * outcome of the list, and would only be counted as `not-in-list`. The report is read as
 * `experiments report` reads it, beside an independent count from the fold's ratings.
 */
export async function runSimulate(
  base: CliConfig,
  options: { fold: FoldName; users: number; variants: string[]; protocol: SimulatedProtocol; timeoutSeconds: number },
  say: (line: string) => void,
): Promise<SimulateReport> {
  const started = Date.now();
  const variants = simulatedVariants(options.variants, process.env);
  const goodbooks = await loadFold(options.fold);
  const split = splitFold(goodbooks, { seed: 42, protocol: options.protocol });
  const cases = split.cases.filter((c) => c.seed !== undefined || c.category !== null).slice(0, options.users);
  const later = laterRatings(goodbooks.ratings, cases);
  // One LLM setting or the other: the rehearsal's variants replace LLM_BASE_URL.
  delete process.env.LLM_BASE_URL;
  const stack = await startIsolatedConfig(base, 'simulate', { LLM_VARIANTS: JSON.stringify(variants), LLM_EXPERIMENT: SIMULATED_EXPERIMENT });
  const fold = new FoldOnStack(stack.config, say);
  const timeoutMs = options.timeoutSeconds * 1_000;
  try {
    await stackUp(stack.config);
    await fold.sendCatalog(goodbooks, timeoutMs);
    await fold.importEarlierReaders(split);
    await fold.signUp(cases, 'simulate');
    const lists = await fold.readLists(cases, timeoutMs);

    const interactions: UserInteraction[] = [];
    const independent = new Map<string, IndependentCount>(options.variants.map((name) => [name, { name, lists: 0, clicks: 0, positives: 0, positiveRate: 0 }]));
    const occurredAt = new Date().toISOString();
    for (const c of cases) {
      const list = lists.get(c.userId);
      if (!list) continue;
      const count = independent.get(list.expansion.variant ?? '');
      if (!count) throw new Error(`user ${userIdOf(c)} was served by variant ${JSON.stringify(list.expansion.variant)}, not one of ${options.variants.join(', ')}`);
      count.lists += 1;
      const listed = new Set(list.items.map((item) => item.itemId));
      for (const rating of later.get(c.userId) ?? []) {
        if (!listed.has(String(rating.bookId))) continue;
        count.clicks += 1;
        // Positive as eval counts a like, which is the stack's BEHAVIOUR_POSITIVE_RATING default (4).
        if (isPositive(rating)) count.positives += 1;
        interactions.push({
          schemaVersion: 1,
          type: 'user.interaction',
          eventId: `simulate-${c.userId}-${rating.bookId}`,
          occurredAt,
          userId: userIdOf(c),
          itemId: String(rating.bookId),
          rating: rating.rating,
          recommendationId: list.recommendationId,
        });
      }
    }
    for (const count of independent.values()) count.positiveRate = count.lists > 0 ? Number((count.positives / count.lists).toFixed(4)) : 0;
    await fold.sendUserEvents(interactions, 'interactions');

    // Done when every interaction sent is credited: the clicks the report counts stop short of it only while some are in flight.
    const readReport = () => readExperimentReport(stack.config, { experiment: SIMULATED_EXPERIMENT, sinceMs: Date.now() - started + 3_600_000, control: options.variants[0]! });
    let report: ExperimentReport | undefined;
    await waitUntil(
      async () => {
        report = await readReport();
        return report.variants.reduce((sum, v) => sum + v.clicks, 0) >= interactions.length;
      },
      { timeoutMs, intervalMs: 1_000 },
    );
    return {
      ...report!,
      simulation: { fold: options.fold, protocol: options.protocol, users: cases.length, served: lists.size, interactionsSent: interactions.length, independent: [...independent.values()], elapsedMs: Date.now() - started },
    };
  } finally {
    await stack.down();
  }
}

/** Each case's ratings after its seed (all of them when the signup named a category only), in the fold's (time) order. */
function laterRatings(ratings: readonly Rating[], cases: readonly EvalCase[]): Map<number, Rating[]> {
  const wanted = new Set(cases.map((c) => c.userId));
  const byUser = new Map<number, Rating[]>();
  for (const r of ratings) {
    if (!wanted.has(r.userId)) continue;
    const rated = byUser.get(r.userId);
    if (rated) rated.push(r);
    else byUser.set(r.userId, [r]);
  }
  const seeds = new Map(cases.map((c) => [c.userId, c.seed?.book.bookId]));
  for (const [userId, rated] of byUser) byUser.set(userId, rated.slice(rated.findIndex((r) => r.bookId === seeds.get(userId)) + 1));
  return byUser;
}

export function registerSimulateCommand(program: Command, loadConfig: () => CliConfig): void {
  program
    .command('simulate')
    .description('rehearse an A/B test of expansion variants on a stack of its own: a fold’s test users sign up, their real later ratings of the books they were served come back as interactions, and the experiments report reads the result')
    .addOption(new Option('--fold <fold>', 'goodbooks fold').choices(FOLD_NAMES).makeOptionMandatory())
    .option('--users <n>', 'test users signed up', positiveIntOption, 2_000)
    .option('--variants <names>', `comma-separated, the first is the control: ${BASELINE_EXPANDERS.join(', ')} or LLM_VARIANTS entries`, (text: string) => text.split(',').map((v) => v.trim()).filter(Boolean), ['catalog', 'seed-only'])
    .addOption(new Option('--protocol <protocol>', 'who signs up, as `eval --protocol` splits the fold: a book and its genre, or the genre alone').choices(SIMULATED_PROTOCOLS).default('cold-start'))
    .option('--timeout <seconds>', 'give up waiting for the catalog, the lists or the attribution after this long', positiveIntOption, 1_800)
    .option('--json', 'print the experiments report JSON (as `experiments report --json`) with a "simulation" key: what was sent and the independent count')
    .action(async (options: { fold: FoldName; users: number; variants: string[]; protocol: SimulatedProtocol; timeout: number; json?: boolean }) => {
      if (options.variants.length < 2) throw new Error('--variants needs at least two variants: the control first');
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const report = await runSimulate(loadConfig(), { fold: options.fold, users: options.users, variants: options.variants, protocol: options.protocol, timeoutSeconds: options.timeout }, say);
      if (report.simulation.served < report.simulation.users) process.exitCode = 1;
      if (options.json) return console.log(JSON.stringify(report));
      console.log(renderExperimentReport(report));
      const { simulation } = report;
      console.log(`\nsimulated: fold ${simulation.fold} (${simulation.protocol}), ${simulation.served}/${simulation.users} users served, ${simulation.interactionsSent} interactions sent`);
      for (const count of simulation.independent) console.log(`independent count ${count.name}: ${count.lists} lists, ${count.clicks} clicks, ${count.positives} positives, ${count.positiveRate.toFixed(4)} per list`);
    });
}
