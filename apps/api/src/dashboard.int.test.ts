import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bullPrefix, QueuePartitions } from '@coldstart/queues';
import { RecommendationStore } from '@coldstart/store';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { buildApi, type ApiDeps } from './build-api.js';
import { DASHBOARD_COOKIE, sessionValue } from './dashboard.js';

// The queue dashboard through Fastify's inject, over the test redis-server: who may read, who
// may act, and the ?token= cookie login for browsers.

const API_TOKEN = 'api-token-0123456789abcdef';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('queue dashboard', () => {
  let fx: RedisFixture;
  const apps: Array<ReturnType<typeof buildApi>> = [];

  beforeEach(async () => {
    fx = await createRedisFixture();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await fx.cleanup();
  });

  function api(overrides: Partial<ApiDeps> = {}) {
    const app = buildApi({
      recommendations: new RecommendationStore(fx.redis, fx.prefix),
      ping: () => fx.redis.ping(),
      token: API_TOKEN,
      adminToken: ADMIN_TOKEN,
      dashboard: { connection: fx.redis, queues: new QueuePartitions(fx.prefix) },
      logger: pino({ level: 'silent' }),
      ...overrides,
    });
    apps.push(app);
    return app;
  }

  /** One job in the expand queue's failed set, as a pool leaves it. */
  async function failedJob(): Promise<Queue> {
    const queue = new Queue('expand', { connection: fx.redis, prefix: bullPrefix(fx.prefix) });
    await queue.add('expand-topics', { eventId: 'ev-1' }, { jobId: 'failed-1', attempts: 1 });
    const connection = fx.redis.duplicate();
    const worker = new Worker('expand', async () => Promise.reject(new UnrecoverableError('boom')), { connection, prefix: bullPrefix(fx.prefix) });
    await vi.waitFor(async () => expect(await queue.getFailedCount()).toBe(1), { timeout: 10_000, interval: 50 });
    await worker.close();
    await connection.quit();
    return queue;
  }

  it('answers 401 without a token, or with a wrong one, on every dashboard path and method', async () => {
    const app = api();
    for (const url of ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues', '/admin/queues/queue/expand', '/admin/queues/experiments', '/%61dmin/queues/api/queues']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
    for (const headers of [bearer('wrong-token-0123456789abcd'), { authorization: API_TOKEN }, { cookie: `${DASHBOARD_COOKIE}=${API_TOKEN}` }]) {
      expect((await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers })).statusCode).toBe(401);
    }
    expect((await app.inject({ method: 'PUT', url: '/admin/queues/api/queues/expand/retry/failed' })).statusCode).toBe(401);
  });

  it('is read-only with the API token: reads work, a retry is refused and changes nothing', async () => {
    const queue = await failedJob();
    const app = api();
    const page = await app.inject({ method: 'GET', url: '/admin/queues', headers: bearer(API_TOKEN) });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const queues = await app.inject({ method: 'GET', url: '/admin/queues/api/queues?activeQueue=expand&status=failed', headers: bearer(API_TOKEN) });
    expect(queues.statusCode).toBe(200);
    const expand = queues.json<{ queues: Array<{ name: string; counts: Record<string, number> }> }>().queues.find((q) => q.name === 'expand');
    expect(expand?.counts.failed).toBe(1);
    for (const [method, url] of [
      ['PUT', '/admin/queues/api/queues/expand/retry/failed'],
      ['PUT', '/admin/queues/api/queues/expand/failed-1/retry'],
      ['POST', '/admin/queues/api/queues/expand/add'],
      ['PUT', '/admin/queues/api/queues/expand/pause'],
    ] as const) {
      const refused = await app.inject({ method, url, headers: bearer(API_TOKEN), ...(method === 'POST' ? { payload: { name: 'x', data: {} } } : {}) });
      expect(refused.statusCode, url).toBe(403);
      expect(refused.json()).toEqual({ error: 'the dashboard is read-only without the admin token' });
    }
    expect(await queue.getFailedCount()).toBe(1);
    await queue.close();
  });

  it('allows mutations with the admin token', async () => {
    const queue = await failedJob();
    const app = api();
    const retried = await app.inject({ method: 'PUT', url: '/admin/queues/api/queues/expand/failed-1/retry', headers: bearer(ADMIN_TOKEN) });
    expect(retried.statusCode).toBe(204);
    expect(await queue.getFailedCount()).toBe(0);
    expect(await queue.getWaitingCount()).toBe(1);
    await queue.close();
  });

  it('logs a browser in once with ?token=: an HttpOnly SameSite=Strict cookie, then a redirect without the token', async () => {
    const app = api();
    const login = await app.inject({ method: 'GET', url: `/admin/queues/queue/expand?token=${API_TOKEN}&status=failed` });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/admin/queues/queue/expand?status=failed');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toBe(`${DASHBOARD_COOKIE}=${sessionValue(API_TOKEN)}; Path=/admin/queues; HttpOnly; SameSite=Strict; Max-Age=43200`);
    // The cookie holds a derived value, not the token: it opens nothing else.
    expect(cookie).not.toContain(API_TOKEN);
    const session = { cookie: `other=1; ${DASHBOARD_COOKIE}=${sessionValue(API_TOKEN)}` };
    expect((await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: session })).statusCode).toBe(200);
    expect((await app.inject({ method: 'PUT', url: '/admin/queues/api/queues/expand/retry/failed', headers: session })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/v1/users/u/recommendations', headers: { cookie: session.cookie } })).statusCode).toBe(401);

    const admin = await app.inject({ method: 'GET', url: `/admin/queues?token=${ADMIN_TOKEN}` });
    expect(admin.statusCode).toBe(303);
    const adminSession = { cookie: `${DASHBOARD_COOKIE}=${sessionValue(ADMIN_TOKEN)}` };
    expect((await app.inject({ method: 'PUT', url: '/admin/queues/api/queues/expand/retry/failed', headers: adminSession })).statusCode).toBe(200);

    const wrong = await app.inject({ method: 'GET', url: '/admin/queues?token=wrong-token-0123456789abcd' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('without API_TOKEN only the admin token opens it; without either it does not exist', async () => {
    const adminOnly = api({ token: undefined });
    expect((await adminOnly.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: bearer(API_TOKEN) })).statusCode).toBe(401);
    expect((await adminOnly.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: bearer(ADMIN_TOKEN) })).statusCode).toBe(200);
    // The read API stays open, as before.
    expect((await adminOnly.inject({ method: 'GET', url: '/v1/users/u/recommendations' })).statusCode).toBe(404);

    const none = api({ token: undefined, adminToken: undefined });
    expect((await none.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(404);
    expect((await none.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: bearer(ADMIN_TOKEN) })).statusCode).toBe(404);
  });

  it('with API_TOKEN only, the board itself is read-only too (no admin token can unlock it)', async () => {
    const app = api({ adminToken: undefined });
    const queues = await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: bearer(API_TOKEN) });
    expect(queues.statusCode).toBe(200);
    expect(queues.json<{ queues: Array<{ readOnlyMode: boolean }> }>().queues.every((q) => q.readOnlyMode)).toBe(true);
    const refused = await app.inject({ method: 'PUT', url: '/admin/queues/api/queues/expand/retry/failed', headers: bearer(API_TOKEN) });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ error: 'the dashboard is read-only: API_ADMIN_TOKEN is not set' });
  });

  it('serves /metrics openly and /readyz 503 once shutting down', async () => {
    let shuttingDown = false;
    const app = api({ shuttingDown: () => shuttingDown });
    await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: bearer(API_TOKEN) });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/coldstart_http_requests_total\{method="GET",route="\/admin\/queues\/api\/queues",status="200"\} \d+/);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    shuttingDown = true;
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'shutting down' });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
