export { explorationAt, explore, type ExplorationSettings } from './explore.js';
export { fuseScores } from './fuse-scores.js';
export { mmrRerank } from './mmr.js';
export { popularityPrior } from './popularity-prior.js';
export { rankCandidates } from './rank-candidates.js';
export { candidateIds, contentQueries, forEachCandidate, searchedSeeds, userRankInput, type ContentQuery, type SignalSources, type UserSignals } from './rank-user.js';
export { DEFAULT_RANKING, type RankingSettings } from './default-ranking.js';
export type { CategoryFilter, Exploration, CategoryHits, Hit, RankedItem, RankInput, RankWeights, Reason, SeedHits, Similarity, TopicHits, UnitRows } from './types.js';
