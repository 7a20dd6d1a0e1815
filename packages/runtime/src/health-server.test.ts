import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { check, startHealthServer, type Check, type HealthServer } from './health-server.js';
import { counter, Registry } from './metrics.js';

const logger = pino({ level: 'silent' });

describe('startHealthServer', () => {
  const servers: HealthServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  async function serve(ready: () => Promise<Check[]>, registry = new Registry()) {
    const server = await startHealthServer({ port: 0, host: '127.0.0.1', ready, registry, logger, readyTimeoutMs: 500 });
    servers.push(server);
    const get = async (path: string, init?: RequestInit) => {
      const response = await fetch(`${server.url}${path}`, init);
      const text = await response.text();
      return { status: response.status, type: response.headers.get('content-type'), text, json: () => JSON.parse(text) as Record<string, unknown> };
    };
    return { server, get };
  }

  it('answers /healthz, and /readyz with every check', async () => {
    const { server, get } = await serve(async () => [{ name: 'redis', ok: true }, { name: 'replica', ok: true, detail: { lagEntries: 0 } }]);
    expect(server.port).toBeGreaterThan(0);
    expect((await get('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: [{ name: 'redis', ok: true }, { name: 'replica', ok: true, detail: { lagEntries: 0 } }] });
  });

  it('answers 503 when a check fails, hangs, or the checks throw', async () => {
    const failing = await serve(async () => [await check('redis', () => Promise.reject(new Error('ECONNREFUSED')))]);
    const response = await failing.get('/readyz');
    expect(response.status).toBe(503);
    expect(response.json()).toEqual({ status: 'not ready', checks: [{ name: 'redis', ok: false, detail: 'ECONNREFUSED' }] });

    const hanging = await serve(async () => [await check('sqs', () => new Promise(() => {}), 50)]);
    expect((await hanging.get('/readyz')).json()).toEqual({ status: 'not ready', checks: [{ name: 'sqs', ok: false, detail: 'sqs did not answer within 50 ms' }] });

    const stuck = await serve(() => new Promise(() => {}));
    const timedOut = await stuck.get('/readyz');
    expect(timedOut.status).toBe(503);
    expect(timedOut.text).toMatch(/did not answer within 500 ms/);
    // Liveness does not depend on the checks.
    expect((await stuck.get('/healthz')).status).toBe(200);
  });

  it('answers /readyz 503 once shutting down, while /healthz and /metrics still answer', async () => {
    const { server, get } = await serve(async () => [{ name: 'redis', ok: true }]);
    expect((await get('/readyz')).status).toBe(200);
    server.markShuttingDown();
    expect(server.shuttingDown).toBe(true);
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'shutting down' });
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/metrics')).status).toBe(200);
  });

  it('serves the registry in the Prometheus text format', async () => {
    const registry = new Registry();
    counter({ name: 'coldstart_things_total', help: 'things', registry }).inc(3);
    const { get } = await serve(async () => [], registry);
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toBe(registry.contentType);
    expect(metrics.text).toContain('# TYPE coldstart_things_total counter');
    expect(metrics.text).toContain('coldstart_things_total 3');
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    const { get } = await serve(async () => []);
    expect((await get('/nothing')).status).toBe(404);
    expect((await get('/metrics', { method: 'POST' })).status).toBe(405);
  });

  it('stops listening on close, once however often it is asked', async () => {
    const { server, get } = await serve(async () => []);
    await Promise.all([server.close(), server.close()]);
    await expect(get('/healthz')).rejects.toThrow();
  });

  it('fails to start on a port in use', async () => {
    const { server } = await serve(async () => []);
    await expect(startHealthServer({ port: server.port, host: '127.0.0.1', ready: async () => [], logger })).rejects.toThrow(/EADDRINUSE/);
  });
});
