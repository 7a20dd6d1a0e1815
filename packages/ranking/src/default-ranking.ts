import type { RankWeights } from './types.js';

export interface RankingSettings {
  weights: RankWeights;
  mmrLambda: number;
  /** The prior of an item with no popularity information. */
  unknownPopularity: number;
  /** Neighbours fetched per topic, per seed and per category before fusion. */
  candidates: number;
  /**
   * Seed and seen items searched per list. Every seen item is excluded, but searching each one
   * would make a long-lived user's refresh cost grow without bound; the first ones (seeds, then
   * the rest in the order given) are searched.
   */
  maxSeeds: number;
}

/**
 * Tuned with `coldstart eval` on goodbooks folds a and b only (fold c is held out for the
 * reported figures); the recommend pool's RANK_* variables default to these.
 */
export const DEFAULT_RANKING: RankingSettings = Object.freeze({
  weights: Object.freeze({ topic: 0.15, seed: 1, alsoLiked: 8, category: 0.1, popularity: 0.3, topicDecay: 0.5 }),
  mmrLambda: 0.7,
  unknownPopularity: 0.2,
  candidates: 200,
  maxSeeds: 20,
});
