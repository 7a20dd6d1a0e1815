import type { BehaviourModel } from '@coldstart/behaviour';
import { EmptyTextError } from '@coldstart/embeddings';
import type { Expander } from '@coldstart/expander';
import { rankCandidates, userRankInput, type RankingSettings } from '@coldstart/ranking';
import { normaliseCategory } from '@coldstart/store';
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
  /** The behaviour model as the recommend pool's replica holds it at this user's signup (EvalBehaviour). */
  behaviour: BehaviourModel;
  settings: RankingSettings;
}

/**
 * The production path for one signup, in process: the expand pool's expander on the seed's
 * catalog record and the interest category, the embed pool's encoder on each topic (topics it
 * cannot encode are dropped, as there), and the recommend pool's userRankInput and
 * rankCandidates over the same index code and the same behaviour model, with the same settings.
 */
export function pipelineSystem(options: PipelineOptions): EvalSystem {
  const { catalog, embedded, settings } = options;
  const expansions = new Map<string, Promise<string[]>>();
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

  /** The expansion depends only on what the signup says (seed and category), so it is asked once per seed. */
  const topicsFor = (user: EvalCase, categories: string[]) => {
    const seedId = String(user.seed.bookId);
    let pending = expansions.get(seedId);
    if (!pending) {
      const seed = catalog.seedItem(seedId);
      pending = options.expander
        ? options.expander
            .expand({ userId: String(user.userId), categories, seedItems: seed ? [seed] : [], locale: 'en' })
            .then((expansion) => expansion.topics)
        : Promise.resolve([]);
      expansions.set(seedId, pending);
    }
    return pending;
  };

  async function listFor(user: EvalCase, k: number): Promise<Recommendation> {
    const seedId = String(user.seed.bookId);
    const categories = user.seed.primaryGenre ? [user.seed.primaryGenre] : [];
    const topics: { topic: string; vector: Float32Array }[] = [];
    for (const topic of await topicsFor(user, categories)) {
      const vector = await encodeTopic(topic);
      if (vector) topics.push({ topic, vector });
    }
    const seen = new Set([seedId, ...user.seen.map(String)]);
    const ranked = rankCandidates(
      userRankInput(
        { topics, seeds: [...seen].sort(), categories: categories.map(normaliseCategory), exclude: seen },
        {
          search: (vector, n, exclude) => embedded.index.search(vector, n, { exclude }),
          itemVector: (itemId) => embedded.vectors.get(itemId),
          behaviour: options.behaviour,
        },
        settings,
        k,
      ),
    );
    return { itemIds: ranked.map((r) => r.itemId), topics: topics.map((t) => t.topic), reasons: ranked.map((r) => r.reason) };
  }

  return {
    name: `${options.expanderLabel} × ${embedded.encoderId}`,
    kind: 'pipeline',
    recommend: (user, k) => listFor(user, k),
  };
}
