import { type FoldName, loadFold } from '@coldstart/goodbooks';
import { DEFAULT_RANKING, type Reason, type RankingSettings } from '@coldstart/ranking';
import { mulberry32 } from '@coldstart/runtime';
import { ProgressBar, type ProgressStream } from '@coldstart/ops';
import { loadEncoderWithFixtures } from '@coldstart/t5-fixtures';
import { contentNnBaseline, cooccurrenceReference, genrePopularityBaseline, popularityBaseline, randomBaseline } from './baselines.js';
import { Placement } from '@coldstart/behaviour';
import { EvalBehaviour } from './eval-behaviour.js';
import { type EmbeddedCatalog, EvalCatalog } from './eval-catalog.js';
import { EVAL_EXPANDERS } from './eval-expanders.js';
import { type EvalData, goodbooksData } from './eval-data.js';
import { sentInteractions, signupInteractions, trainingInteraction } from './eval-interactions.js';
import { type EvalCase, type EvalSplit, type ProtocolName, splitFold, WARMING_STEPS } from './eval-protocol.js';
import type { EvalSystem, Recommendation, SystemKind } from './eval-system.js';
import { bootstrapCi, intraListDiversity, mean, novelty, scoreList } from './metrics.js';
import { overlapMatrix, type OverlapMatrix } from './overlap.js';
import { pipelineSystem } from './pipeline-system.js';
import { loadExport } from './load-export.js';
import { TrainingStats } from './training-stats.js';
import { afterInteractions, warmingReport, type WarmingReport } from './warming.js';

export interface EvalOptions {
  /** A goodbooks fold, or `data`: exactly one of them. */
  fold?: FoldName;
  /** A directory holding a team's own export: items.jsonl and interactions.csv (load-export.ts). */
  data?: string;
  k: number;
  /** Evaluate only the first N test users (in fold order). */
  users?: number;
  expanders: string[];
  encoders: string[];
  seed: number;
  protocol: ProtocolName;
  modelsDir?: string;
  /** Where the goodbooks folds are (default: the checkout's data/). */
  dataDir?: string;
  /** Ranking settings for the pipelines; default: the tuned production defaults. */
  ranking?: RankingSettings;
  /** The Redis the behaviour log is learned into (a prefix of the run's own, removed after). */
  redisUrl: string;
  progress?: ProgressStream;
}

export interface SystemMetrics {
  name: string;
  kind: SystemKind;
  recall: number;
  recallCi: [number, number];
  ndcg: number;
  ndcgCi: [number, number];
  hitRate: number;
  hitRateCi: [number, number];
  coverage: number;
  diversity: number;
  novelty: number;
  /** Protocols with new books: the share of list slots they took. */
  newItemShare?: number;
  /** Under new-items: NDCG over every later like (what cold-start counts), to show what the new books' slots cost. */
  ndcgAll?: number;
  ndcgAllCi?: [number, number];
}

/** What `--json` prints. */
export interface EvalReport {
  fold?: FoldName;
  /** The export's directory, when the eval ran on one. */
  data?: string;
  k: number;
  users: number;
  protocol: ProtocolName;
  seed: number;
  systems: SystemMetrics[];
  overlap: OverlapMatrix;
  ranking: RankingSettings;
  /** Under warming: each pipeline's curve from signup to warm (its points are systems too). */
  warming?: WarmingReport;
}

/**
 * One line of --dump: enough to recompute every accuracy figure from the fold's files. Ids as
 * the data spells them: goodbooks' numbers, an export's own strings.
 */
export interface DumpLine {
  system: string;
  userId: number | string;
  /** The item the signup named; absent under category-only. */
  seedItem?: number | string;
  /** Under category-only: the one category the signup named. */
  category?: string;
  /** Under warming: the interactions sent before the list was read, in order. */
  seen?: (number | string)[];
  items: (number | string)[];
}

/** A user shown in the HTML report: the signup, the default pipeline's topics and its list with reasons. */
export interface SampleUser {
  userId: number | string;
  seed?: { bookId: number | string; title: string };
  category: string | null;
  system: string;
  topics: string[];
  items: { bookId: number | string; title: string; relevant: boolean; reason?: Reason }[];
}

export interface EvalResult {
  report: EvalReport;
  dump: DumpLine[];
  samples: SampleUser[];
}

const SAMPLE_USERS = 8;
/** How long before the run the new books of new-items and cold-seed were upserted: new, for exploration. */
const NEW_ITEM_AGE_MS = 86_400_000;
/** Names the reference that is the served pipeline with placement and exploration turned off. */
export const WITHOUT_PLACEMENT = 'without placement or exploration';
/** …and the served pipeline with exploration off (placement only). */
export const WITHOUT_EXPLORATION = 'without exploration';
const round = (x: number) => Number(x.toFixed(4));

/**
 * `coldstart eval`: the production modules (expander → encoder → vector index → ranking) in
 * one process against a goodbooks fold or a team's export (load-export.ts), next to baselines
 * and a warm reference on the same users. See eval-protocol.ts for who is evaluated on what.
 */
export async function runEval(options: EvalOptions): Promise<EvalResult> {
  const progress = options.progress ?? { write: () => undefined };
  const settings = options.ranking ?? DEFAULT_RANKING;
  const data = await loadData(options);
  const split = splitFold(data, { seed: options.seed, protocol: options.protocol });
  const cases = options.users === undefined ? split.cases : split.cases.slice(0, options.users);
  // New books (new-items, cold-seed) were upserted a day ago; the rest of the catalog with its events.
  const nowMs = Date.now();
  const newItems = { bookIds: split.newBooks, occurredAt: new Date(nowMs - NEW_ITEM_AGE_MS).toISOString() };
  const catalog = new EvalCatalog(data.books, data.itemEvent, newItems);
  const stats = new TrainingStats(split.training);

  const embedded: EmbeddedCatalog[] = [];
  for (const encoderId of options.encoders) {
    const encoder = await loadEncoderWithFixtures(encoderId, options.modelsDir ? { modelsDir: options.modelsDir } : {});
    const bar = new ProgressBar(progress, `embedding catalog (${encoderId})`, catalog.items.size);
    embedded.push(await catalog.embed(encoderId, encoder, (done) => bar.update(done)));
    bar.finish(catalog.items.size);
  }

  const behaviour = await EvalBehaviour.open(options.redisUrl);
  try {
    return await evaluate(options, { data, split, cases, catalog, stats, embedded, behaviour, settings, nowMs, progress });
  } finally {
    // T5 encoders hold an onnxruntime session; the Encoder interface has no close, so ask.
    for (const e of embedded) await (e.encoder as { close?: () => Promise<void> }).close?.();
    await behaviour.close();
  }
}

async function loadData(options: EvalOptions): Promise<EvalData> {
  if (options.data !== undefined && options.fold === undefined) return loadExport(options.data);
  if (options.fold !== undefined && options.data === undefined) return goodbooksData(await loadFold(options.fold, options.dataDir ? { dataDir: options.dataDir } : {}));
  throw new Error('eval runs on a goodbooks fold or on an export directory: give exactly one of them');
}

interface EvalInputs {
  data: EvalData;
  split: EvalSplit;
  cases: EvalCase[];
  catalog: EvalCatalog;
  stats: TrainingStats;
  embedded: EmbeddedCatalog[];
  behaviour: EvalBehaviour;
  settings: RankingSettings;
  nowMs: number;
  progress: ProgressStream;
}

async function evaluate(options: EvalOptions, inputs: EvalInputs): Promise<EvalResult> {
  const { data, split, cases, catalog, stats, embedded, behaviour, settings, nowMs, progress } = inputs;
  // The catalog of record as the index pool writes it (the learn script reads items' categories from it).
  const first = embedded[0];
  if (first) await catalog.store(first, behaviour.connection);
  const learning = new ProgressBar(progress, 'learning training interactions', split.training.length);
  await behaviour.learn(split.training.map(trainingInteraction), (done) => learning.update(done));
  learning.finish(split.training.length);

  // Fitted once the training behaviour is in, as the pool fits it (it refits only after the
  // likes grew by PLACEMENT_REFIT_SHARE, more than the test signups add).
  const placements = new Map(embedded.map((e) => [e, Placement.fit(e.index, behaviour.model)]));
  // Content neighbours and co-occurrence start from a seed, which a category-only signup lacks.
  const seeded = options.protocol !== 'category-only';
  const systems: EvalSystem[] = [
    randomBaseline(catalog, options.seed),
    popularityBaseline(catalog, stats),
    genrePopularityBaseline(catalog, stats),
    ...(seeded ? embedded.map((e) => contentNnBaseline(e)) : []),
    ...(seeded ? [cooccurrenceReference(catalog, stats)] : []),
  ];
  for (const expanderName of options.expanders) {
    const factory = EVAL_EXPANDERS[expanderName];
    if (!factory) throw new Error(`unknown expander ${JSON.stringify(expanderName)}; known: ${Object.keys(EVAL_EXPANDERS).join(', ')}`);
    const expander = await factory({ catalog });
    for (const e of embedded) {
      const served = { expander, expanderLabel: expanderName, catalog, embedded: e, behaviour: behaviour.model, placement: placements.get(e), settings, nowMs };
      systems.push(pipelineSystem(served));
      // With new books, what placement and exploration add: the same pipeline without either.
      if (split.newBooks.size > 0) {
        const noExploration = { ...settings, exploration: { ...settings.exploration, weight: 0 } };
        const placementOnly = pipelineSystem({ ...served, settings: noExploration });
        systems.push({ ...placementOnly, name: `${placementOnly.name} ${WITHOUT_EXPLORATION}`, kind: 'reference' });
        const neither = pipelineSystem({ ...served, placement: undefined, settings: noExploration });
        systems.push({ ...neither, name: `${neither.name} ${WITHOUT_PLACEMENT}`, kind: 'reference' });
      }
    }
  }
  const pipelines = systems.filter((s) => s.kind === 'pipeline');
  const steps = options.protocol === 'warming' ? WARMING_STEPS : [];
  const scored: { name: string; kind: SystemKind }[] = [
    ...systems,
    ...pipelines.flatMap((p) => steps.map((n) => ({ name: afterInteractions(p.name, n), kind: p.kind }))),
  ];

  const lists = new Map<string, Map<number, string[]>>(scored.map((s) => [s.name, new Map()]));
  const dump: DumpLine[] = [];
  const samples: SampleUser[] = [];
  /** One list as the user would read it now, recorded under `name`; what the signup and the sent interactions named is never in it. */
  const read = async (name: string, system: EvalSystem, user: EvalCase) => {
    const recommendation = await system.recommend(user, options.k);
    const given = new Set([...(user.seed ? [String(user.seed.book.bookId)] : []), ...user.seen.map((r) => String(r.bookId))]);
    const itemIds = recommendation.itemIds.filter((id) => !given.has(id)).slice(0, options.k);
    lists.get(name)?.set(user.userId, itemIds);
    dump.push(dumpLine(name, user, itemIds, data));
    return { recommendation, itemIds };
  };
  const firstPipeline = pipelines[0];
  const bar = new ProgressBar(progress, 'evaluating users', cases.length);
  for (const [n, user] of cases.entries()) {
    // What the signup flow teaches before the list is read.
    await behaviour.learn(signupInteractions(user));
    for (const system of systems) {
      const { recommendation, itemIds } = await read(system.name, system, user);
      if (system === firstPipeline && samples.length < SAMPLE_USERS) samples.push(sampleOf(user, system.name, itemIds, recommendation, catalog, data));
    }
    // Warming: each step sends the next interactions through the interaction flow (learned, then
    // seen), so a list never knows an interaction the user had not sent yet.
    let sent = 0;
    for (const step of steps) {
      await behaviour.learn(sentInteractions(user, user.interactions.slice(sent, step)));
      sent = step;
      const now = { ...user, seen: user.interactions.slice(0, step) };
      for (const pipeline of pipelines) await read(afterInteractions(pipeline.name, step), pipeline, now);
    }
    bar.update(n + 1);
  }
  bar.finish(cases.length);

  const genresOf = (id: string) => catalog.items.get(id)?.book.genres ?? [];
  const metrics = scored.map((system): SystemMetrics => {
    const byUser = lists.get(system.name) ?? new Map<number, string[]>();
    const scores = cases.map((user) => scoreList((byUser.get(user.userId) ?? []).map(Number), user.relevant, options.k));
    const listed = new Set<string>();
    for (const list of byUser.values()) for (const id of list) listed.add(id);
    // One stream per system and metric, so adding a system never moves another's interval.
    const ci = (values: number[], salt: number) => bootstrapCi(values, mulberry32(options.seed ^ hashName(system.name) ^ salt)).map(round) as [number, number];
    const recall = scores.map((s) => s.recall);
    const ndcg = scores.map((s) => s.ndcg);
    const hit = scores.map((s) => s.hit);
    return {
      name: system.name,
      kind: system.kind,
      recall: round(mean(recall)),
      recallCi: ci(recall, 1),
      ndcg: round(mean(ndcg)),
      ndcgCi: ci(ndcg, 2),
      hitRate: round(mean(hit)),
      hitRateCi: ci(hit, 3),
      coverage: round(listed.size / catalog.items.size),
      diversity: round(mean([...byUser.values()].map((list) => intraListDiversity(list, genresOf)))),
      novelty: round(mean([...byUser.values()].map((list) => novelty(list, stats.popularity, stats.users)))),
      ...newItemMetrics(),
    };
    function newItemMetrics(): Pick<SystemMetrics, 'newItemShare' | 'ndcgAll' | 'ndcgAllCi'> {
      if (split.newBooks.size === 0) return {};
      const slots = [...byUser.values()].flat();
      const newItemShare = round(slots.filter((id) => split.newBooks.has(Number(id))).length / Math.max(1, slots.length));
      if (options.protocol !== 'new-items') return { newItemShare };
      const all = cases.map((user) => scoreList((byUser.get(user.userId) ?? []).map(Number), user.relevantAll ?? user.relevant, options.k).ndcg);
      return { newItemShare, ndcgAll: round(mean(all)), ndcgAllCi: ci(all, 4) };
    }
  });

  const overlap = overlapMatrix(
    scored.map((s) => ({ label: s.name, byUser: lists.get(s.name) ?? new Map<number, string[]>() })),
    cases.map((c) => ({ userId: c.userId, ...(c.seed ? { seedItem: String(c.seed.book.bookId) } : {}) })),
    options.k,
  );
  const report: EvalReport = { ...data.source, k: options.k, users: cases.length, protocol: options.protocol, seed: options.seed, systems: metrics, overlap, ranking: settings };
  if (steps.length > 0) report.warming = warmingReport(pipelines.map((p) => p.name), steps, metrics);
  return { report, dump, samples };
}

/** Ids as the data spells them; the keys say what the signup and the sent interactions were, so the figures can be recomputed from the data's own files. */
function dumpLine(system: string, user: EvalCase, itemIds: readonly string[], data: EvalData): DumpLine {
  const item = (bookId: number) => data.items.name(bookId);
  const signup = user.seed ? { seedItem: item(user.seed.book.bookId) } : user.category !== null ? { category: user.category } : {};
  return {
    system,
    userId: data.users.name(user.userId),
    ...signup,
    ...(user.seen.length > 0 ? { seen: user.seen.map((r) => item(r.bookId)) } : {}),
    items: itemIds.map((id) => item(Number(id))),
  };
}

function sampleOf(user: EvalCase, system: string, itemIds: readonly string[], recommendation: Recommendation, catalog: EvalCatalog, data: EvalData): SampleUser {
  const item = (id: string) => data.items.name(Number(id));
  const reasons = recommendation.reasons ?? [];
  return {
    userId: data.users.name(user.userId),
    ...(user.seed ? { seed: { bookId: data.items.name(user.seed.book.bookId), title: user.seed.book.title } } : {}),
    category: user.category,
    system,
    topics: recommendation.topics ?? [],
    items: itemIds.map((id, i) => {
      const reason = reasons[i];
      // Seed and co-occurrence reasons name an item: by the data's own id, like the list.
      const shown = reason && (reason.kind === 'seed' || reason.kind === 'also-liked') ? { ...reason, source: String(item(reason.source)) } : reason;
      return { bookId: item(id), title: catalog.items.get(id)?.book.title ?? id, relevant: user.relevant.has(Number(id)), ...(shown ? { reason: shown } : {}) };
    }),
  };
}

function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
