import type { BehaviourModel, Placement } from '@coldstart/behaviour';
import { EmptyTextError } from '@coldstart/embeddings';
import { NothingToExpandError, type Expander } from '@coldstart/expander';
import { explorationAt, rankCandidates, searchedSeeds, userRankInput, type RankingSettings } from '@coldstart/ranking';
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
  /** The content → behaviour placement the pool would hold (fitted on this model and this encoder's index); absent: none fitted yet. */
  placement: Placement | undefined;
  settings: RankingSettings;
  /** The clock lists are ranked at (item ages for exploration are measured from it). */
  nowMs: number;
}

/**
 * The production path for one signup, in process: the expand pool's expander on the seed's
 * catalog record (when the signup names one) and the interest category, the embed pool's
 * encoder on each topic (topics it cannot encode are dropped, as there), and the recommend
 * pool's userRankInput and rankCandidates over the same index code and the same behaviour
 * model, with the same settings. Interactions sent after the signup (warming) are seen items
 * and seeds, as refresh-user ranks them; the topics stay the signup's, as its stored profile's.
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

  /**
   * The expansion depends only on what the signup says (seed and category), so it is asked once
   * per signup. Nothing to expand (no category, a seed without categories) leaves the user
   * without topics, as the expand pool does after its retries.
   */
  const topicsFor = (user: EvalCase, seedId: string | undefined, categories: string[]) => {
    const key = JSON.stringify([seedId ?? null, categories]);
    let pending = expansions.get(key);
    if (!pending) {
      const seed = seedId === undefined ? undefined : catalog.seedItem(seedId);
      pending = options.expander
        ? options.expander.expand({ userId: String(user.userId), categories, seedItems: seed ? [seed] : [], locale: 'en' }).then(
            (expansion) => expansion.topics,
            (error: unknown) => {
              if (error instanceof NothingToExpandError) return [];
              throw error;
            },
          )
        : Promise.resolve([]);
      expansions.set(key, pending);
    }
    return pending;
  };

  async function listFor(user: EvalCase, k: number): Promise<Recommendation> {
    const seedId = user.seed ? String(user.seed.book.bookId) : undefined;
    const categories = user.category ? [user.category] : [];
    const topics: { topic: string; vector: Float32Array }[] = [];
    for (const topic of await topicsFor(user, seedId, categories)) {
      const vector = await encodeTopic(topic);
      if (vector) topics.push({ topic, vector });
    }
    // What the pool's recommendation store holds as seen: the signup's items, then every
    // interaction sent; a category-only signup has seen nothing.
    const seen = new Set([...(seedId === undefined ? [] : [seedId]), ...user.seen.map((r) => String(r.bookId))]);
    const seeds = [...seen].sort();
    const input = userRankInput(
        { topics, seeds, categories: categories.map(normaliseCategory).filter((c) => c.length > 0), exclude: seen },
        {
          search: (vector, n, exclude) => embedded.index.search(vector, n, { exclude }),
          itemVector: (itemId) => embedded.vectors.get(itemId),
          behaviour: options.behaviour,
          ...(options.placement ? { placement: options.placement } : {}),
        },
        settings,
        k,
    );
    const exploration = explorationAt(
      settings.exploration,
      {
        userItems: searchedSeeds(seeds, settings.maxSeeds),
        addedAt: (id) => catalog.addedAt(id),
        likes: (id) => options.behaviour.pairedLikeCount(id),
        uptake: (id) => options.behaviour.likeCount(id),
        authors: (id) => catalog.authors(id),
      },
      options.nowMs,
    );
    if (exploration) input.exploration = exploration;
    const ranked = rankCandidates(input);
    return { itemIds: ranked.map((r) => r.itemId), topics: topics.map((t) => t.topic), reasons: ranked.map((r) => r.reason) };
  }

  return {
    name: `${options.expanderLabel} × ${embedded.encoderId}`,
    kind: 'pipeline',
    recommend: (user, k) => listFor(user, k),
  };
}
