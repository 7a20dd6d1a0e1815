import type { ExplorationSettings } from './explore.js';
import type { RankWeights } from './types.js';

export interface RankingSettings {
  weights: RankWeights;
  mmrLambda: number;
  /**
   * The prior of an item nobody has liked. 0: a new item liked by a few signups has a small
   * known prior, and an unknown one must not outrank it (at 0.2, new books ranked for new-items
   * test users scored NDCG@10 0.146 on fold a and 0.243 on b, against 0.165 and 0.335 at 0;
   * cold-start lists did not move: 0.2518 and 0.3671 either way).
   */
  unknownPopularity: number;
  /** Neighbours fetched per seed and per category before fusion, and for the first topic (later topics fewer: topicCandidates in rank-user.ts). */
  candidates: number;
  /**
   * Seed and seen items searched per list. Every seen item is excluded, but searching each one
   * would make a long-lived user's refresh cost grow without bound; the first ones (seeds, then
   * the rest in the order given) are searched.
   */
  maxSeeds: number;
  /** The share of a list kept for new items with little behaviour (explore.ts). */
  exploration: ExplorationSettings;
}

/**
 * Tuned with `coldstart eval` on goodbooks folds a and b only (fold c is held out for the
 * reported figures); the recommend pool's RANK_* variables default to these.
 */
export const DEFAULT_RANKING: RankingSettings = Object.freeze({
  weights: Object.freeze({ topic: 0.15, seed: 1, alsoLiked: 8, placement: 8, category: 0.1, popularity: 0.3, topicDecay: 0.5 }),
  mmrLambda: 0.7,
  unknownPopularity: 0,
  candidates: 200,
  maxSeeds: 20,
  exploration: Object.freeze({ weight: 0.3, maxAgeDays: 30, maxLikes: 4, uptakeWeight: 0.1, seedWeight: 0.15, authorWeight: 0.15 }),
});
