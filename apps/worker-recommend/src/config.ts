import { envInteger, parseEnv, PoolEnv } from '@coldstart/config';

export const RecommendEnv = PoolEnv.extend({
  /** Items kept per user list. */
  RECS_TOP_N: envInteger(20, { min: 1, max: 500 }),
});

export const loadConfig = () => parseEnv(RecommendEnv);
