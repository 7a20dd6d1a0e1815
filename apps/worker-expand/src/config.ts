import { envInteger, parseEnv, PoolEnv } from '@coldstart/config';

export const ExpandEnv = PoolEnv.extend({
  /** How long the catalog's category statistics are reused before they are read again. */
  EXPANDER_STATS_REFRESH_MS: envInteger(10_000, { min: 0, max: 3_600_000 }),
});

export const loadConfig = () => parseEnv(ExpandEnv);
