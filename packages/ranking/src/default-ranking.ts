import type { RankWeights } from './types.js';

export interface RankingSettings {
  weights: RankWeights;
  mmrLambda: number;
  /** The prior of an item with no popularity information. */
  unknownPopularity: number;
  /** Neighbours fetched per topic and per seed item before fusion. */
  candidates: number;
}

/**
 * Tuned with `coldstart eval` on goodbooks folds a and b only (fold c is held out for the
 * reported figures); the recommend pool's RANK_* variables default to these.
 */
export const DEFAULT_RANKING: RankingSettings = Object.freeze({
  weights: Object.freeze({ topic: 0.15, seed: 1, popularity: 0.3, topicDecay: 0.5 }),
  mmrLambda: 0.7,
  unknownPopularity: 0.2,
  candidates: 200,
});
