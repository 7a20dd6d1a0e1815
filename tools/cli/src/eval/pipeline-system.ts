import { EmptyTextError } from '@coldstart/embeddings';
import type { Expander } from '@coldstart/expander';
import { rankCandidates, type RankingSettings } from '@coldstart/ranking';
import type { EmbeddedCatalog, EvalCatalog } from './eval-catalog.js';
import type { EvalCase } from './eval-protocol.js';
import type { EvalSystem, Recommendation } from './eval-system.js';

export interface PipelineOptions {
  /** Undefined for the seed-only variant: no expansion, the seed's neighbours re-ranked. */
  expander: Expander | undefined;
  /** The label the expander goes by in system names and --expanders. */
  expanderLabel: string;
  catalog: EvalCatalog;
  embedded: EmbeddedCatalog;
  popularity: (itemId: string) => number | undefined;
  settings: RankingSettings;
}

/**
 * The production path for one signup, in process: the expand pool's expander on the seed's
 * catalog record and the interest category, the embed pool's encoder on each topic (topics it
 * cannot encode are dropped, as there), the replica index searched per topic and per seed,
 * and the recommend pool's rankCandidates. Everything a list depends on is the seed book, so
 * lists are computed once per seed.
 */
export function pipelineSystem(options: PipelineOptions): EvalSystem {
  const { catalog, embedded, settings } = options;
  const bySeed = new Map<string, Promise<Recommendation>>();
  const topicVectors = new Map<string, Promise<Float32Array | undefined>>();

  const encodeTopic = (topic: string) => {
    let pending = topicVectors.get(topic);
    if (!pending) {
      pending = embedded.encoder.encode([topic]).then(
        ([vector]) => vector,
        (error: unknown) => {
          if (error instanceof EmptyTextError) return undefined;
          throw error;
        },
      );
      topicVectors.set(topic, pending);
    }
    return pending;
  };

  const similarity = (a: string, b: string): number | undefined => {
    const x = embedded.vectors.get(a);
    const y = embedded.vectors.get(b);
    if (!x || !y) return undefined;
    let dot = 0;
    for (let i = 0; i < x.length; i++) dot += (x[i] as number) * (y[i] as number);
    return dot;
  };

  async function listFor(user: EvalCase, k: number): Promise<Recommendation> {
    const seedId = String(user.seed.bookId);
    const seed = catalog.seedItem(seedId);
    const exclude = new Set([seedId]);
    let topics: string[] = [];
    if (options.expander) {
      const expansion = await options.expander.expand({
        userId: String(user.userId),
        categories: user.seed.primaryGenre ? [user.seed.primaryGenre] : [],
        seedItems: seed ? [seed] : [],
        locale: 'en',
      });
      topics = expansion.topics;
    }
    const topicHits = [];
    for (const topic of topics) {
      const vector = await encodeTopic(topic);
      if (vector) topicHits.push({ topic, hits: embedded.index.search(vector, settings.candidates, { exclude }) });
    }
    const seedVector = embedded.vectors.get(seedId);
    const seedHits = seedVector ? [{ seedItemId: seedId, hits: embedded.index.search(seedVector, settings.candidates, { exclude }) }] : [];
    const ranked = rankCandidates({
      topicHits,
      seedHits,
      popularity: options.popularity,
      unknownPopularity: settings.unknownPopularity,
      weights: settings.weights,
      mmrLambda: settings.mmrLambda,
      similarity,
      exclude,
      topN: k,
    });
    return { itemIds: ranked.map((r) => r.itemId), topics: topicHits.map((t) => t.topic), reasons: ranked.map((r) => r.reason) };
  }

  return {
    name: `${options.expanderLabel} × ${embedded.encoderId}`,
    kind: 'pipeline',
    recommend: (user, k) => {
      const key = `${user.seed.bookId}:${k}`;
      let pending = bySeed.get(key);
      if (!pending) bySeed.set(key, (pending = listFor(user, k)));
      return pending;
    },
  };
}
