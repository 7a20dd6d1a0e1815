import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AwsEnv, ConfigError, envBoolean, envInteger, parseEnv, RedisEnv } from './index.js';

const Schema = RedisEnv.extend(AwsEnv.shape).extend({
  FLAG: envBoolean(false),
  COUNT: envInteger(5, { min: 1, max: 10 }),
});

describe('parseEnv', () => {
  it('applies defaults', () => {
    const env = parseEnv(Schema, {});
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.COLDSTART_PREFIX).toBe('coldstart');
    expect(env.FLAG).toBe(false);
    expect(env.COUNT).toBe(5);
    expect(env.SQS_ENDPOINT).toBeUndefined();
  });

  it('reads "false" as false, unlike z.coerce.boolean', () => {
    expect(parseEnv(Schema, { FLAG: 'false' }).FLAG).toBe(false);
    expect(parseEnv(Schema, { FLAG: '1' }).FLAG).toBe(true);
  });

  it('reports every invalid variable at once, with its value', () => {
    const error = (() => {
      try {
        parseEnv(Schema, { REDIS_URL: 'http://x', COUNT: '11', FLAG: 'yes', SQS_ENDPOINT: 'not a url' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toHaveLength(4);
    expect(issues.join('\n')).toMatch(/REDIS_URL="http:\/\/x": must use redis or rediss/);
    expect(issues.join('\n')).toMatch(/COUNT="11": must be at most 10/);
    expect(issues.join('\n')).toMatch(/FLAG="yes"/);
    expect(issues.join('\n')).toMatch(/SQS_ENDPOINT/);
  });

  it('rejects a prefix that would break key layouts', () => {
    expect(() => parseEnv(RedisEnv, { COLDSTART_PREFIX: 'a:b' })).toThrow(/COLDSTART_PREFIX/);
    expect(() => parseEnv(z.object({ X: envInteger(1, { min: 0, max: 3 }) }), { X: '1.5' })).toThrow(/whole number/);
  });
});
