import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisFixture, freePort, startApp, type AppProcess, type RedisFixture } from '@coldstart/testing';

/*
 * worker-expand logs its LLM variants at start; LLM_API_KEY must not be among what it prints,
 * at trace level, in a clean run or when it refuses its configuration.
 */
const LLM_API_KEY = `sk-llm-${randomBytes(16).toString('hex')}`;
let fx: RedisFixture;
const running: AppProcess[] = [];

beforeAll(async () => {
  fx = await createRedisFixture();
});

afterAll(async () => {
  await Promise.all(running.map((app) => app.stop('SIGKILL')));
  await fx?.cleanup();
});

describe('LLM_API_KEY never reaches worker-expand output', () => {
  it('through start, the variants log line and shutdown at trace level', async () => {
    const worker = startApp('worker-expand', {
      REDIS_URL: 'redis://127.0.0.1:6379',
      COLDSTART_PREFIX: fx.prefix,
      METRICS_PORT: String(await freePort()),
      METRICS_HOST: '127.0.0.1',
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      LLM_API_KEY,
      LOG_LEVEL: 'trace',
    });
    running.push(worker);
    await vi.waitFor(() => expect(worker.output()).toContain('LLM expansion on'), { timeout: 15_000, interval: 50 });
    // The line that lists the variants is there, so the check below looks at it.
    expect(worker.output()).toMatch(/"variants":\{"default":\{"model":"coldstart-local"/);
    expect(await worker.stop('SIGTERM')).toBe(0);
    expect(worker.output().includes(LLM_API_KEY)).toBe(false);
    expect(worker.output().includes(LLM_API_KEY.slice(0, 20))).toBe(false);
  });

  const refused = async (env: Record<string, string>) => {
    const worker = startApp('worker-expand', { REDIS_URL: 'redis://127.0.0.1:6379', COLDSTART_PREFIX: fx.prefix, LOG_LEVEL: 'trace', ...env });
    running.push(worker);
    expect(await worker.exited).toBe(1);
    return worker.output();
  };

  it('when the configuration is refused', async () => {
    const output = await refused({ LLM_BASE_URL: 'http://127.0.0.1:9/v1', LLM_API_KEY, LLM_TIMEOUT_MS: 'soon' });
    expect(output).toMatch(/LLM_TIMEOUT_MS="soon": must be a number/);
    expect(output.includes(LLM_API_KEY), output).toBe(false);
  });

  // parseEnv hides values by variable name (…KEY, …TOKEN, …) and hides JSON values, so a key
  // someone pasted into LLM_VARIANTS (instead of apiKeyEnv) is not printed when the JSON is bad.
  it('does not print a key pasted into malformed LLM_VARIANTS', async () => {
    const output = await refused({ LLM_VARIANTS: `{"default": {"baseUrl": "http://127.0.0.1:9/v1", "apiKey": "${LLM_API_KEY}"` });
    expect(output).toMatch(/LLM_VARIANTS/);
    expect(output.includes(LLM_API_KEY)).toBe(false);
  });
});
