import { z } from 'zod';
import { parseRedisUrl } from './redis.js';

/**
 * "true"/"1" and "false"/"0" only: `z.coerce.boolean()` would turn the string "false" into true.
 */
export const envBoolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'must be one of true, false, 1, 0' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

export const envInteger = (fallback: number, range: { min: number; max: number }) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(range.min, `must be at least ${range.min}`)
    .max(range.max, `must be at most ${range.max}`)
    .default(fallback);

export const envNumber = (fallback: number, range: { min: number; max: number }) =>
  z.coerce
    .number({ message: 'must be a number' })
    .min(range.min, `must be at least ${range.min}`)
    .max(range.max, `must be at most ${range.max}`)
    .default(fallback);

export const envUrl = (protocols: readonly string[]) =>
  z.url({ message: `must be a URL (${protocols.join(', ')})` }).refine(
    // zod 4 runs refinements even when the URL check failed, so skip values it already rejected.
    (value) => !URL.canParse(value) || protocols.includes(new URL(value).protocol.replace(/:$/, '')),
    { message: `must use ${protocols.join(' or ')}` },
  );

/** `s3://bucket` or `s3://bucket/prefix`. */
export const envS3Url = z.string().regex(/^s3:\/\/[^/]+/, 'must look like s3://bucket/prefix');

/** A key prefix that keeps deployments (and test runs) sharing one Redis apart; on a cluster it may be given as its hash tag, `{name}`. */
export const envKeyPrefix = z
  .string()
  .regex(/^(?:[A-Za-z0-9][A-Za-z0-9_.-]{0,63}|\{[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\})$/, 'must be 1-64 characters of letters, digits, _ . - (optionally in braces, a hash tag)')
  .default('coldstart');

/** REDIS_URL: one server (`redis://`, `rediss://`) or a cluster (`redis-cluster://host:port,…`, `rediss-cluster://…`). */
export const envRedisUrl = z.string().superRefine((value, context) => {
  try {
    parseRedisUrl(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
  }
});
