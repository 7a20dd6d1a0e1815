export { fuseScores } from './fuse-scores.js';
export { mmrRerank } from './mmr.js';
export { popularityPrior } from './popularity-prior.js';
export { rankCandidates } from './rank-candidates.js';
export { userRankInput, type SignalSources, type UserSignals } from './rank-user.js';
export { DEFAULT_RANKING, type RankingSettings } from './default-ranking.js';
export type { CategoryFilter, CategoryHits, Hit, RankedItem, RankInput, RankWeights, Reason, SeedHits, TopicHits } from './types.js';
