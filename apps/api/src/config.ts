import { AttributionEnv, envInteger, parseEnv, ProcessEnv, RedisEnv } from '@coldstart/config';
import { z } from 'zod';

export const ApiEnv = RedisEnv.extend(ProcessEnv.shape).extend(AttributionEnv.shape).extend({
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: envInteger(8080, { min: 0, max: 65_535 }),
  /** Unset: the API is open (local use only). Set in every shared deployment. */
  API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Unlocks the queue dashboard's mutations (retry, clean, pause, …) at /admin/queues. Unset:
   * the dashboard is read-only for API_TOKEN, or not mounted at all when API_TOKEN is unset too.
   */
  API_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
}).refine((env) => env.API_ADMIN_TOKEN === undefined || env.API_ADMIN_TOKEN !== env.API_TOKEN, {
  message: 'must differ from API_TOKEN',
  path: ['API_ADMIN_TOKEN'],
});

export const loadConfig = () => parseEnv(ApiEnv);
