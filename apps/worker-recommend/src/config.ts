import { AttributionEnv, envInteger, envS3Url, parseEnv, PoolEnv, S3Env } from '@coldstart/config';
import type { RecommendRanking } from '@coldstart/pipeline';
import { DEFAULT_RANKING } from '@coldstart/ranking';
import { normaliseCategory } from '@coldstart/store';
import { z } from 'zod';

const envWeight = (fallback: number, max: number) =>
  z.coerce.number({ message: 'must be a number' }).min(0, 'must be at least 0').max(max, `must be at most ${max}`).default(fallback);

const { weights } = DEFAULT_RANKING;

/** The RANK_* defaults are the settings tuned offline with `coldstart eval` on goodbooks folds a and b. */
export const RecommendEnv = PoolEnv.extend(S3Env.shape).extend(AttributionEnv.shape).extend({
  /**
   * `s3://bucket/prefix` of worker-index's snapshots: each replica starts from the newest that
   * verifies, then replays the log after it. Unset: replay each log from its start (possible
   * only while worker-index takes no snapshots either, since it trims the log below them).
   */
  COLDSTART_SNAPSHOTS_S3_URL: envS3Url.optional(),
  /** Items kept per user list. */
  RECS_TOP_N: envInteger(20, { min: 1, max: 500 }),
  /** Weight of the (rank-decayed) mean similarity to the expanded topics. */
  RANK_TOPIC_WEIGHT: envWeight(weights.topic, 100),
  /** Weight of the similarity to the user's seed items (signup items, later interactions). */
  RANK_SEED_WEIGHT: envWeight(weights.seed, 100),
  /** Weight of co-occurrence with the user's seed items ("readers who liked it also liked"), from the behaviour model. */
  RANK_ALSO_LIKED_WEIGHT: envWeight(weights.alsoLiked, 100),
  /** Weight of predicted co-occurrence with the user's seed items for items with little behaviour (content → behaviour placement). */
  RANK_PLACEMENT_WEIGHT: envWeight(weights.placement, 100),
  /** Weight of popularity within the user's interest categories. */
  RANK_CATEGORY_WEIGHT: envWeight(weights.category, 100),
  /** Weight of the popularity prior in [0, 1]. */
  RANK_POPULARITY_WEIGHT: envWeight(weights.popularity, 100),
  /** Topic i counts RANK_TOPIC_DECAY^i: later topics are looser associations. */
  RANK_TOPIC_DECAY: envWeight(weights.topicDecay, 1),
  /** MMR λ: 1 ranks by score only; lower trades score for variety. */
  RANK_MMR_LAMBDA: envWeight(DEFAULT_RANKING.mmrLambda, 1),
  /** The popularity prior of an item nothing is known about (a brand-new one). */
  RANK_UNKNOWN_POPULARITY: envWeight(DEFAULT_RANKING.unknownPopularity, 1),
  /**
   * Share of a list (0–1) that may go to new items with little behaviour, as Amazon
   * Personalize's explorationWeight; chosen by predicted relevance, reason `new-in:<topic>` or
   * `exploring`. 0 turns exploration off.
   */
  RANK_EXPLORATION_WEIGHT: envWeight(DEFAULT_RANKING.exploration.weight, 1),
  /** An item is new (explorable) for this many days after its first item.upserted (its occurredAt), as explorationItemAgeCutOff. */
  RANK_EXPLORATION_MAX_AGE_DAYS: z.coerce.number({ message: 'must be a number' }).positive('must be above 0').max(3650, 'must be at most 3650').default(DEFAULT_RANKING.exploration.maxAgeDays),
  /** …and while at most this many of its likes taught co-occurrence (came from a reader who had liked something before). */
  RANK_EXPLORATION_MAX_LIKES: envInteger(DEFAULT_RANKING.exploration.maxLikes, { min: 0, max: 1_000_000 }),
  /** How much a new item's likes so far count when the exploration slots are filled (0: by predicted relevance alone). */
  RANK_EXPLORATION_UPTAKE_WEIGHT: envWeight(DEFAULT_RANKING.exploration.uptakeWeight, 100),
  /** How much a new item's content similarity to the closest of the user's items counts when the exploration slots are filled. */
  RANK_EXPLORATION_SEED_WEIGHT: envWeight(DEFAULT_RANKING.exploration.seedWeight, 100),
  /** What a new item sharing an author with one of the user's items adds when the exploration slots are filled. */
  RANK_EXPLORATION_AUTHOR_WEIGHT: envWeight(DEFAULT_RANKING.exploration.authorWeight, 100),
  /** Neighbours fetched per topic, per seed and per category before fusion. */
  RANK_CANDIDATES: envInteger(DEFAULT_RANKING.candidates, { min: 1, max: 5_000 }),
  /**
   * Exact search answers each item index keeps per query vector (a topic, a seed item), brought up
   * to date across writes (packages/vector-index/src/search-cache.ts); 0 turns them off. Memory:
   * about this × (RANK_CANDIDATES + 32) hits per encoder.
   */
  SEARCH_CACHE_ANSWERS: envInteger(2_048, { min: 0, max: 1_000_000 }),
  /** Comma-separated categories never to recommend (compared case- and space-insensitively). */
  RANK_EXCLUDE_CATEGORIES: z
    .string()
    .default('')
    .transform((value) => new Set(value.split(',').map(normaliseCategory).filter((c) => c.length > 0))),
  /** Co-occurrence neighbours the behaviour model keeps per item (memory: items × this). */
  BEHAVIOUR_MAX_NEIGHBOURS: envInteger(100, { min: 1, max: 10_000 }),
  /** Popularity halves over this many days since a like (0: likes never age). */
  BEHAVIOUR_HALF_LIFE_DAYS: z.coerce.number({ message: 'must be a number' }).min(0, 'must be at least 0').max(3650, 'must be at most 3650').default(30),
  /**
   * New-item fan-out (packages/pipeline/src/fanout/): the most users one indexed item can queue a list
   * rewrite for. 0 turns the fan-out off, and with it the recording of users' interest vectors.
   */
  FANOUT_USERS: envInteger(100, { min: 0, max: 10_000 }),
  /** Cosine between a new item and a user's interest vector below which the user is not considered. */
  FANOUT_MIN_SIMILARITY: z.coerce.number({ message: 'must be a number' }).min(-1, 'must be at least -1').max(1, 'must be at most 1').default(0.5),
  /** Only users whose last signup or interaction happened this recently are considered. */
  FANOUT_ACTIVE_WITHIN_SECONDS: envInteger(7 * 86_400, { min: 1, max: 365 * 86_400 }),
  /** A user's list is rewritten by the fan-out at most once per window of this length; new items wait for its end. */
  FANOUT_WINDOW_MS: envInteger(10_000, { min: 100, max: 3_600_000 }),
});

export type RecommendConfig = z.infer<typeof RecommendEnv>;

export const loadConfig = () => parseEnv(RecommendEnv);

/** The pool's ranking: the RANK_* settings over the tuned defaults. */
export function rankingSettings(config: RecommendConfig): RecommendRanking {
  return {
    weights: {
      topic: config.RANK_TOPIC_WEIGHT,
      seed: config.RANK_SEED_WEIGHT,
      alsoLiked: config.RANK_ALSO_LIKED_WEIGHT,
      placement: config.RANK_PLACEMENT_WEIGHT,
      category: config.RANK_CATEGORY_WEIGHT,
      popularity: config.RANK_POPULARITY_WEIGHT,
      topicDecay: config.RANK_TOPIC_DECAY,
    },
    mmrLambda: config.RANK_MMR_LAMBDA,
    unknownPopularity: config.RANK_UNKNOWN_POPULARITY,
    candidates: config.RANK_CANDIDATES,
    maxSeeds: DEFAULT_RANKING.maxSeeds,
    exploration: { weight: config.RANK_EXPLORATION_WEIGHT, maxAgeDays: config.RANK_EXPLORATION_MAX_AGE_DAYS, maxLikes: config.RANK_EXPLORATION_MAX_LIKES, uptakeWeight: config.RANK_EXPLORATION_UPTAKE_WEIGHT, seedWeight: config.RANK_EXPLORATION_SEED_WEIGHT, authorWeight: config.RANK_EXPLORATION_AUTHOR_WEIGHT },
    excludeCategories: config.RANK_EXCLUDE_CATEGORIES,
  };
}
