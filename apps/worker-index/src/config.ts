import { parseEnv, PoolEnv } from '@coldstart/config';

export const loadConfig = () => parseEnv(PoolEnv);
