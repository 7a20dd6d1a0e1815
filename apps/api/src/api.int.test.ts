import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CatalogStore, recommendationIdOf, RecommendationStore, type RecommendationList } from '@coldstart/store';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { buildApi, type ApiDeps } from './build-api.js';

// The read API over a real RecommendationStore on the test redis-server, driven through
// Fastify's in-process inject and, once, over a real socket.

const TOKEN = 'test-token-0123456789abcdef';
const vector = { encoder: 'test-enc', dimension: 1, vector: Buffer.from(new Float32Array([1]).buffer).toString('base64') };

const recommendations = (userId: string): RecommendationList => ({
  userId,
  items: [
    { itemId: 'gb-7', title: 'The Hobbit', score: 0.93, reason: 'fantasy' },
    { itemId: 'gb-2', title: "Harry Potter and the Sorcerer's Stone", score: 0.875, reason: 'seed:gb-7' },
  ],
  topics: ['fantasy', 'young adult adventure'],
  expansion: { source: 'catalog', expander: 'catalog-cooccurrence' },
  encoder: 'test-enc',
  generatedAt: '2026-01-02T03:04:05.678Z',
  eventId: 'ev-api-1',
});

/** A stored list as the API serves it: each item with its position. */
const served = (list: RecommendationList) => ({ ...list, items: list.items.map((item, i) => ({ ...item, position: i + 1 })) });

describe('read API', () => {
  let fx: RedisFixture;
  let store: RecommendationStore;
  let stored: RecommendationList;
  const apps: Array<ReturnType<typeof buildApi>> = [];
  const closeAfter: Array<() => unknown> = [];

  beforeEach(async () => {
    fx = await createRedisFixture();
    const catalog = new CatalogStore(fx.redis, fx.prefix);
    for (const [itemId, title] of [['gb-7', 'The Hobbit'], ['gb-2', "Harry Potter and the Sorcerer's Stone"]] as const) {
      await catalog.upsert({ item: { itemId, title, authors: [], categories: ['fantasy'] }, occurredAt: '2026-01-01T00:00:00Z', eventId: `up-${itemId}`, ...vector });
    }
    store = new RecommendationStore(fx.redis, fx.prefix);
    stored = await store.put(recommendations('user-5f2c81d0'));
    // put refuses nothing here: both items are live.
    expect(stored.items).toHaveLength(2);
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const close of closeAfter.splice(0)) await close();
    await fx.cleanup();
  });

  function api(overrides: Partial<ApiDeps> = {}) {
    const app = buildApi({ recommendations: store, ping: () => fx.redis.ping(), logger: pino({ level: 'silent' }), ...overrides });
    apps.push(app);
    return app;
  }

  it('serves a stored list with its exact shape', async () => {
    const response = await api().inject({ method: 'GET', url: '/v1/users/user-5f2c81d0/recommendations' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = response.json<Record<string, unknown>>();
    // Every field of the list put in, eventId (the event that produced it) included, plus the
    // list version's id and each item's position: a response schema that dropped a field would fail here.
    const list = recommendations('user-5f2c81d0');
    const recommendationId = recommendationIdOf('user-5f2c81d0', 'ev-api-1');
    expect(body).toEqual(served({ ...list, recommendationId }));
    expect(stored.recommendationId).toBe(recommendationId);
  });

  it('answers 404 for a user without a list', async () => {
    const response = await api().inject({ method: 'GET', url: '/v1/users/nobody/recommendations' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'no recommendations for user "nobody"' });
  });

  it('answers 400 for ids the event contract refuses, without reading the store', async () => {
    const get = vi.spyOn(store, 'get');
    const app = api();
    const cases: Array<{ url: string; error: string }> = [
      { url: `/v1/users/${'a'.repeat(129)}/recommendations`, error: 'userId must be 1–128 characters' },
      { url: '/v1/users/a%01b/recommendations', error: 'userId contains a control character' },
      { url: '/v1/users/a%7Fb/recommendations', error: 'userId contains a control character' },
      { url: '/v1/users/%00/recommendations', error: 'userId contains a control character' },
      // 128 code points, 256 UTF-16 code units: ids are measured in code units, as in events.
      { url: `/v1/users/${'%F0%9F%98%80'.repeat(128)}/recommendations`, error: 'userId must be 1–128 characters' },
    ];
    for (const { url, error } of cases) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toEqual({ error });
    }
    expect(get).not.toHaveBeenCalled();

    // The boundary: 128 characters is a valid id, merely unknown.
    const longest = await app.inject({ method: 'GET', url: `/v1/users/${'a'.repeat(128)}/recommendations` });
    expect(longest.statusCode).toBe(404);
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('refuses a lone surrogate before routing: invalid UTF-8 in the URL is a 400 from Fastify', async () => {
    // %ED%A0%80 is U+D800 encoded as if it were a character; it is not valid UTF-8, so the
    // router's decoder refuses it and Fastify answers FST_ERR_BAD_URL (400) itself: the
    // handler, idProblem's NOT_WELL_FORMED check and the store are never reached. The error
    // echoes the URL still percent-encoded, so nothing raw comes back.
    const get = vi.spyOn(store, 'get');
    const app = api();
    for (const id of ['%ED%A0%80', 'a%ED%A0%80b', '%ED%B0%80', '%C0%80']) {
      const url = `/v1/users/${id}/recommendations`;
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toEqual({
        statusCode: 400,
        code: 'FST_ERR_BAD_URL',
        error: 'Bad Request',
        message: `'${url}' is not a valid url component`,
      });
    }
    expect(get).not.toHaveBeenCalled();
  });

  it('requires the bearer token on /v1 when one is set', async () => {
    const app = api({ token: TOKEN });
    const url = '/v1/users/user-5f2c81d0/recommendations';
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789ab', TOKEN, `Bearer ${TOKEN} `, `bearer ${TOKEN}`, `Basic ${TOKEN}`]) {
      const response = await app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });
      expect(response.statusCode, String(authorization)).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toEqual({ error: 'missing or invalid bearer token' });
    }
    // An unknown /v1 path is refused too, rather than telling strangers what exists.
    const unknown = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(unknown.statusCode).toBe(401);

    const ok = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual(served(stored));
    const missing = await app.inject({ method: 'GET', url: '/v1/users/nobody/recommendations', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(missing.statusCode).toBe(404);

    // Health endpoints stay open for probes.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('cannot be bypassed by percent-encoding the /v1 prefix', async () => {
    // The router decodes %76 ("v") and %31 ("1") in the path, so these reach the /v1 route.
    const get = vi.spyOn(store, 'get');
    const app = api({ token: TOKEN });
    for (const url of ['/%76%31/users/user-5f2c81d0/recommendations', '/v%31/users/user-5f2c81d0/recommendations', '/%761/users/user-5f2c81d0/recommendations']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(401);
      expect(response.json(), url).toEqual({ error: 'missing or invalid bearer token' });
      // With the token, the same URL is the same route.
      const allowed = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(allowed.statusCode, url).toBe(200);
    }
    expect(get).toHaveBeenCalledTimes(3);
  });

  it('answers /healthz, and /readyz by the ping', async () => {
    const app = api();
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });

    // A real client for a Redis that is not there: the ping rejects at once.
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null, maxRetriesPerRequest: 1 });
    down.on('error', () => {});
    closeAfter.push(() => down.disconnect());
    const notReady = await api({ ping: () => down.ping() }).inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ status: 'not ready', error: expect.stringMatching(/writeable|closed|ECONNREFUSED/) });
    // Liveness does not depend on Redis.
    expect((await apps.at(-1)?.inject({ method: 'GET', url: '/healthz' }))?.statusCode).toBe(200);
  });

  it('serves over a real socket', async () => {
    const app = api({ token: TOKEN });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;

    const ok = await fetch(`${base}/v1/users/user-5f2c81d0/recommendations`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await ok.json()).toEqual(served(stored));

    const refused = await fetch(`${base}/v1/users/user-5f2c81d0/recommendations`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    await refused.arrayBuffer();

    // fetch sends %76%31 as is; the server must still ask for the token.
    const encoded = await fetch(`${base}/%76%31/users/user-5f2c81d0/recommendations`);
    expect(encoded.status).toBe(401);
    await encoded.arrayBuffer();

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});
