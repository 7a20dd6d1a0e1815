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
    expect(issues.join('\n')).toMatch(/REDIS_URL="http:\/\/x": must be a redis:\/\/, rediss:\/\/, redis-cluster:\/\/ or rediss-cluster:\/\/ URL/);
    expect(issues.join('\n')).toMatch(/COUNT="11": must be at most 10/);
    expect(issues.join('\n')).toMatch(/FLAG="yes"/);
    expect(issues.join('\n')).toMatch(/SQS_ENDPOINT/);
  });

  it('rejects a prefix that would break key layouts', () => {
    expect(() => parseEnv(RedisEnv, { COLDSTART_PREFIX: 'a:b' })).toThrow(/COLDSTART_PREFIX/);
    expect(() => parseEnv(z.object({ X: envInteger(1, { min: 0, max: 3 }) }), { X: '1.5' })).toThrow(/whole number/);
  });

  it('never echoes a JSON value, which may hold a pasted secret, only its size', () => {
    const Structured = z.object({ VARIANTS: z.string().refine(() => false, 'must be valid JSON') });
    expect(() => parseEnv(Structured, { VARIANTS: '{"a": {"apiKey": "sk-pasted-9"' })).toThrow(/VARIANTS=\[30 characters of JSON, not shown\]: must be valid JSON/);
  });

  it('never shows a secret in an error: values of *TOKEN*/*PASSWORD*/*SECRET*/*KEY variables, credentials in URLs', () => {
    const Secrets = RedisEnv.extend({
      API_TOKEN: z.string().min(16),
      DB_PASSWORD: z.string().min(20),
      SIGNING_KEY: z.string().min(20),
      UPSTREAM_URL: z.url().refine((v) => v.startsWith('https:'), 'must use https'),
    });
    let message = '';
    try {
      parseEnv(Secrets, {
        API_TOKEN: 'short-tok-1',
        DB_PASSWORD: 'pw-hunter2',
        SIGNING_KEY: 'key-hunter3',
        REDIS_URL: 'http://user:redis-pw-9@redis:6379',
        UPSTREAM_URL: 'http://svc:up-pw-7@upstream/x',
      });
    } catch (error) {
      message = (error as ConfigError).message;
    }
    for (const name of ['API_TOKEN', 'DB_PASSWORD', 'SIGNING_KEY', 'REDIS_URL', 'UPSTREAM_URL']) expect(message).toContain(name);
    for (const secret of ['short-tok-1', 'pw-hunter2', 'key-hunter3', 'redis-pw-9', 'up-pw-7']) expect(message).not.toContain(secret);
    expect(message).toMatch(/REDIS_URL="http:\/\/\[redacted\]@redis:6379": must be a redis:\/\/, rediss:\/\/, redis-cluster:\/\/ or rediss-cluster:\/\/ URL/);
    expect(message).toMatch(/API_TOKEN=\[redacted\]/);
  });
});
