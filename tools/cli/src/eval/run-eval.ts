import type { Interaction } from '@coldstart/behaviour';
import { type Fold, type FoldName, loadFold, type Rating } from '@coldstart/goodbooks';
import { DEFAULT_RANKING, type Reason, type RankingSettings } from '@coldstart/ranking';
import { mulberry32 } from '@coldstart/runtime';
import { ProgressBar, type ProgressStream } from '@coldstart/ops';
import { loadEncoderWithFixtures } from '@coldstart/t5-fixtures';
import { contentNnBaseline, cooccurrenceReference, genrePopularityBaseline, popularityBaseline, randomBaseline } from './baselines.js';
import { EvalBehaviour } from './eval-behaviour.js';
import { type EmbeddedCatalog, EvalCatalog } from './eval-catalog.js';
import { EVAL_EXPANDERS } from './eval-expanders.js';
import { type EvalCase, type EvalSplit, type ProtocolName, splitFold } from './eval-protocol.js';
import type { EvalSystem, SystemKind } from './eval-system.js';
import { bootstrapCi, intraListDiversity, mean, novelty, scoreList } from './metrics.js';
import { overlapMatrix, type OverlapMatrix } from './overlap.js';
import { pipelineSystem } from './pipeline-system.js';
import { TrainingStats } from './training-stats.js';

export interface EvalOptions {
  fold: FoldName;
  k: number;
  /** Evaluate only the first N test users (in fold order). */
  users?: number;
  expanders: string[];
  encoders: string[];
  seed: number;
  protocol: ProtocolName;
  modelsDir?: string;
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
}

/** What `--json` prints. */
export interface EvalReport {
  fold: FoldName;
  k: number;
  users: number;
  protocol: ProtocolName;
  seed: number;
  systems: SystemMetrics[];
  overlap: OverlapMatrix;
  ranking: RankingSettings;
}

/** One line of --dump: enough to recompute every accuracy figure from the fold's files. */
export interface DumpLine {
  system: string;
  userId: number;
  seedItem: number;
  items: number[];
}

/** A user shown in the HTML report: the seed, the default pipeline's topics and its list with reasons. */
export interface SampleUser {
  userId: number;
  seed: { bookId: number; title: string; genre: string | null };
  system: string;
  topics: string[];
  items: { bookId: number; title: string; relevant: boolean; reason?: Reason }[];
}

export interface EvalResult {
  report: EvalReport;
  dump: DumpLine[];
  samples: SampleUser[];
}

const SAMPLE_USERS = 8;
const round = (x: number) => Number(x.toFixed(4));

/**
 * `coldstart eval`: the production modules (expander → encoder → vector index → ranking) in
 * one process against a goodbooks fold, next to baselines and a warm reference on the same
 * users. See eval-protocol.ts for who is evaluated on what.
 */
export async function runEval(options: EvalOptions): Promise<EvalResult> {
  const progress = options.progress ?? { write: () => undefined };
  const settings = options.ranking ?? DEFAULT_RANKING;
  const fold = await loadFold(options.fold, options.dataDir ? { dataDir: options.dataDir } : {});
  const split = splitFold(fold, { seed: options.seed, protocol: options.protocol });
  const cases = options.users === undefined ? split.cases : split.cases.slice(0, options.users);
  const catalog = new EvalCatalog(fold.books);
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
    return await evaluate(options, { fold, split, cases, catalog, stats, embedded, behaviour, settings, progress });
  } finally {
    // T5 encoders hold an onnxruntime session; the Encoder interface has no close, so ask.
    for (const e of embedded) await (e.encoder as { close?: () => Promise<void> }).close?.();
    await behaviour.close();
  }
}

interface EvalInputs {
  fold: Fold;
  split: EvalSplit;
  cases: EvalCase[];
  catalog: EvalCatalog;
  stats: TrainingStats;
  embedded: EmbeddedCatalog[];
  behaviour: EvalBehaviour;
  settings: RankingSettings;
  progress: ProgressStream;
}

async function evaluate(options: EvalOptions, inputs: EvalInputs): Promise<EvalResult> {
  const { split, cases, catalog, stats, embedded, behaviour, settings, progress } = inputs;
  // The catalog of record as the index pool writes it (the learn script reads items' categories from it).
  const first = embedded[0];
  if (first) await catalog.store(first, behaviour.connection);
  const learning = new ProgressBar(progress, 'learning training interactions', split.training.length);
  await behaviour.learn(split.training.map(trainingInteraction), (done) => learning.update(done));
  learning.finish(split.training.length);

  const systems: EvalSystem[] = [
    randomBaseline(catalog, options.seed),
    popularityBaseline(catalog, stats),
    genrePopularityBaseline(catalog, stats),
    ...embedded.map((e) => contentNnBaseline(e)),
    cooccurrenceReference(catalog, stats),
  ];
  for (const expanderName of options.expanders) {
    const factory = EVAL_EXPANDERS[expanderName];
    if (!factory) throw new Error(`unknown expander ${JSON.stringify(expanderName)}; known: ${Object.keys(EVAL_EXPANDERS).join(', ')}`);
    const expander = await factory({ catalog });
    for (const e of embedded) systems.push(pipelineSystem({ expander, expanderLabel: expanderName, catalog, embedded: e, behaviour: behaviour.model, settings }));
  }

  const lists = new Map<string, Map<number, string[]>>();
  const dump: DumpLine[] = [];
  const samples: SampleUser[] = [];
  const firstPipeline = systems.find((s) => s.kind === 'pipeline');
  const bar = new ProgressBar(progress, 'evaluating users', cases.length);
  for (const [n, user] of cases.entries()) {
    // What the signup flow (and the warming protocol's interactions) teach before the list is read.
    await behaviour.learn(signupInteractions(user));
    for (const system of systems) {
      const recommendation = await system.recommend(user, options.k);
      const itemIds = recommendation.itemIds.filter((id) => id !== String(user.seed.bookId)).slice(0, options.k);
      let byUser = lists.get(system.name);
      if (!byUser) lists.set(system.name, (byUser = new Map()));
      byUser.set(user.userId, itemIds);
      dump.push({ system: system.name, userId: user.userId, seedItem: user.seed.bookId, items: itemIds.map(Number) });
      if (system === firstPipeline && samples.length < SAMPLE_USERS) samples.push(sampleOf(user, system.name, itemIds, recommendation.topics ?? [], recommendation.reasons ?? [], catalog));
    }
    bar.update(n + 1);
  }
  bar.finish(cases.length);

  const genresOf = (id: string) => catalog.items.get(id)?.book.genres ?? [];
  const metrics = systems.map((system): SystemMetrics => {
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
    };
  });

  const overlap = overlapMatrix(
    systems.map((s) => ({ label: s.name, byUser: lists.get(s.name) ?? new Map<number, string[]>() })),
    cases.map((c) => ({ userId: c.userId, seedItem: String(c.seed.bookId) })),
    options.k,
  );
  return {
    report: { fold: options.fold, k: options.k, users: cases.length, protocol: options.protocol, seed: options.seed, systems: metrics, overlap, ranking: settings },
    dump,
    samples,
  };
}

/** Goodbooks has no timestamps: every rating is taken to happen at one instant, so none decays. */
const RATED_AT_MS = Date.parse('2017-01-01T00:00:00Z');

function trainingInteraction(rating: Rating): Interaction {
  return { eventId: `train:${rating.userId}:${rating.bookId}`, userId: String(rating.userId), itemId: String(rating.bookId), rating: rating.rating, atMs: RATED_AT_MS };
}

/** The signup's seed (with its rating, as the signup flow learns it), then the interactions sent after it. */
function signupInteractions(user: EvalCase): Interaction[] {
  const userId = `test:${user.userId}`;
  return [
    { eventId: `signup:${user.userId}:${user.seed.bookId}`, userId, itemId: String(user.seed.bookId), rating: user.seedRating, atMs: RATED_AT_MS },
    ...user.seen.map((r) => ({ eventId: `interaction:${r.userId}:${r.bookId}`, userId, itemId: String(r.bookId), rating: r.rating, atMs: RATED_AT_MS })),
  ];
}

function sampleOf(user: EvalCase, system: string, itemIds: string[], topics: string[], reasons: Reason[], catalog: EvalCatalog): SampleUser {
  return {
    userId: user.userId,
    seed: { bookId: user.seed.bookId, title: user.seed.title, genre: user.seed.primaryGenre },
    system,
    topics,
    items: itemIds.map((id, i) => {
      const reason = reasons[i];
      return { bookId: Number(id), title: catalog.items.get(id)?.book.title ?? id, relevant: user.relevant.has(Number(id)), ...(reason ? { reason } : {}) };
    }),
  };
}

function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
