import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, startApp, type AppProcess } from '@coldstart/testing';
import { sessionValue } from '../apps/api/src/dashboard.ts';

/*
 * Processes as deployed, against a redis-server of their own that wants a password: secrets
 * (the bearer tokens, the Redis password, the dashboard session) never reach the output,
 * whatever the requests; and a SIGTERMed pool answers /readyz 503 while it drains. Freezing
 * that redis-server (SIGSTOP) holds the drain open long enough to see it.
 */

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const PASSWORD = secret('redis-pw');
const API_TOKEN = secret('api-token');
const ADMIN_TOKEN = secret('admin-token');
const SECRETS = [PASSWORD, API_TOKEN, ADMIN_TOKEN, sessionValue(API_TOKEN), sessionValue(ADMIN_TOKEN)];

let redisServer: ChildProcess;
let redisPort: number;
const running: AppProcess[] = [];

async function startRedisServer(): Promise<void> {
  redisPort = await freePort();
  redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--requirepass', PASSWORD, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const probe = new Redis({ port: redisPort, password: PASSWORD, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
  probe.on('error', () => {});
  await vi.waitFor(async () => expect(await probe.ping()).toBe('PONG'), { timeout: 10_000, interval: 50 });
  probe.disconnect();
}

const redisUrl = () => `redis://:${PASSWORD}@127.0.0.1:${redisPort}`;
const expectNoSecrets = (output: string) => {
  for (const value of SECRETS) expect(output.includes(value), `a secret reached the output:\n${output.slice(-3000)}`).toBe(false);
};

beforeAll(startRedisServer);

afterAll(async () => {
  await Promise.all(running.map((app) => app.stop('SIGKILL')));
  redisServer?.kill('SIGCONT');
  redisServer?.kill('SIGKILL');
});

describe('secrets never reach the output', () => {
  it('of the API, through accepted, refused and failed requests', async () => {
    const port = await freePort();
    const api = startApp('api', {
      REDIS_URL: redisUrl(),
      COLDSTART_PREFIX: 'secrets-test',
      API_PORT: String(port),
      API_TOKEN,
      API_ADMIN_TOKEN: ADMIN_TOKEN,
      // Debug: every request is logged, as well as every refusal and error.
      LOG_LEVEL: 'debug',
    });
    running.push(api);
    const base = `http://127.0.0.1:${port}`;
    await vi.waitFor(async () => expect((await fetch(`${base}/readyz`)).status).toBe(200), { timeout: 15_000, interval: 100 });

    const call = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${base}${path}`, { redirect: 'manual', ...init });
      await response.arrayBuffer();
      return response.status;
    };
    const as = (token: string, init: RequestInit = {}) => ({ ...init, headers: { authorization: `Bearer ${token}` } });
    expect(await call('/v1/users/u-1/recommendations', as(API_TOKEN))).toBe(404);
    expect(await call('/v1/users/u-1/recommendations', as(`${API_TOKEN}x`))).toBe(401);
    expect(await call('/v1/users/u-1/recommendations', as(ADMIN_TOKEN))).toBe(401);
    expect(await call('/v1/users/u-1/recommendations', { headers: { authorization: API_TOKEN } })).toBe(401);
    expect(await call(`/v1/users/u-1/recommendations?token=${API_TOKEN}`)).toBe(401);
    expect(await call('/v1/users/%ED%A0%80/recommendations', as(API_TOKEN))).toBe(400);
    expect(await call(`/admin/queues?token=${API_TOKEN}`)).toBe(303);
    expect(await call(`/admin/queues?token=${ADMIN_TOKEN.slice(0, -1)}`)).toBe(401);
    expect(await call('/admin/queues/api/queues', as(API_TOKEN))).toBe(200);
    expect(await call('/admin/queues/api/queues/expand/retry/failed', as(API_TOKEN, { method: 'PUT' }))).toBe(403);
    expect(await call('/admin/queues/api/queues/expand/retry/failed', as(ADMIN_TOKEN, { method: 'PUT' }))).toBe(200);
    expect(await call('/admin/queues/api/queues', { headers: { cookie: `coldstart_dashboard=${sessionValue(ADMIN_TOKEN)}` } })).toBe(200);
    // A stored list that is not JSON: the read fails with 500 and an error line carrying the request.
    const redis = new Redis(redisUrl());
    await redis.set('secrets-test:recs:u-broken', '{not json');
    await redis.quit();
    expect(await call('/v1/users/u-broken/recommendations', as(API_TOKEN))).toBe(500);
    expect(await api.stop('SIGTERM')).toBe(0);

    const output = api.output();
    const lines = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; msg: string });
    // The requests were logged, refused and failed ones included: the check below means something.
    expect(lines.filter((l) => l.msg === 'incoming request').length).toBeGreaterThanOrEqual(13);
    expect(lines.some((l) => l.msg === 'refused: missing or invalid bearer token')).toBe(true);
    expect(lines.some((l) => l.msg === 'dashboard request refused or redirected')).toBe(true);
    expect(lines.some((l) => l.level >= 50)).toBe(true);
    expect(output).toContain('token=[redacted]');
    expectNoSecrets(output);
  });

  it('of an app refusing its configuration', async () => {
    const api = startApp('api', { REDIS_URL: `http://user:${PASSWORD}@127.0.0.1:${redisPort}`, API_TOKEN: API_TOKEN.slice(0, 15), API_ADMIN_TOKEN: ADMIN_TOKEN.slice(0, 12) });
    running.push(api);
    expect(await api.exited).toBe(1);
    expect(api.output()).toMatch(/REDIS_URL=.*must be a redis:\/\/, rediss:\/\/, redis-cluster:\/\/ or rediss-cluster:\/\/ URL/);
    expect(api.output()).toMatch(/API_TOKEN=\[redacted\]: must be at least 16 characters/);
    expect(api.output()).toMatch(/API_ADMIN_TOKEN=\[redacted\]/);
    for (const value of [PASSWORD, API_TOKEN.slice(0, 15), ADMIN_TOKEN.slice(0, 12)]) expect(api.output()).not.toContain(value);
  });
});

describe('graceful shutdown of a pool', () => {
  it('answers /readyz 503 from SIGTERM until it exits, then exits 0 with its health server closed', async () => {
    const port = await freePort();
    const worker = startApp('worker-index', {
      REDIS_URL: redisUrl(),
      COLDSTART_PREFIX: 'shutdown-test',
      METRICS_PORT: String(port),
      SHUTDOWN_DEADLINE_MS: '15000',
      LOG_LEVEL: 'info',
    });
    running.push(worker);
    const base = `http://127.0.0.1:${port}`;
    await vi.waitFor(async () => expect((await fetch(`${base}/readyz`)).status).toBe(200), { timeout: 15_000, interval: 100 });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^coldstart_queue_jobs\{queue="index",state="waiting"\} 0$/m);

    // Frozen Redis: the drain (closing the worker and its connection) cannot finish.
    redisServer.kill('SIGSTOP');
    try {
      worker.child.kill('SIGTERM');
      await vi.waitFor(
        async () => {
          const response = await fetch(`${base}/readyz`);
          expect(response.status).toBe(503);
          expect(await response.json()).toMatchObject({ status: 'shutting down' });
        },
        { timeout: 5_000, interval: 20 },
      );
      // Liveness holds while draining, so the orchestrator does not kill the process for it.
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      redisServer.kill('SIGCONT');
    }
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toMatch(/shut down cleanly/);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    expectNoSecrets(worker.output());
  });
});
