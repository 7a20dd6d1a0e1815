import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { register, type Registry } from 'prom-client';

/** One dependency's state as /readyz reports it. */
export interface Check {
  name: string;
  ok: boolean;
  /** Why it failed, or what it measured (e.g. a replica's lag); never a secret. */
  detail?: string | number | Record<string, unknown>;
}

export interface HealthServerOptions {
  /** 0 picks a free port; the bound one is logged and returned. */
  port: number;
  host: string;
  /** Checks /readyz runs; every one must pass. Each should bound its own time (see `check`). */
  ready: () => Promise<Check[]>;
  registry?: Registry;
  logger?: Logger;
  /** /readyz answers 503 when the checks together take longer. */
  readyTimeoutMs?: number;
}

export interface HealthServer {
  readonly port: number;
  readonly url: string;
  readonly shuttingDown: boolean;
  /** From now on /readyz answers 503, so load balancers and orchestrators stop sending work. */
  markShuttingDown(): void;
  /** Stops listening and ends idle keep-alive connections. Idempotent. */
  close(): Promise<void>;
}

function timeout(ms: number, what: string): { promise: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * Runs one readiness probe under a time limit: a hung dependency (a Redis client that retries
 * forever) fails the check instead of hanging /readyz.
 */
export async function check(name: string, probe: () => Promise<unknown>, timeoutMs = 2_000): Promise<Check> {
  const limit = timeout(timeoutMs, name);
  try {
    const detail = await Promise.race([probe(), limit.promise]);
    const shown = typeof detail === 'number' || (typeof detail === 'object' && detail !== null && !Array.isArray(detail)) ? detail : undefined;
    return shown === undefined ? { name, ok: true } : { name, ok: true, detail: shown as Check['detail'] };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    limit.cancel();
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

const json = (response: ServerResponse, status: number, body: unknown) => send(response, status, 'application/json; charset=utf-8', JSON.stringify(body));

/**
 * The operations endpoints of a process without an HTTP API of its own (the pools, the ingest):
 * `/healthz` (alive: the event loop answers), `/readyz` (dependencies reachable, 503 while
 * shutting down) and `/metrics` (Prometheus text format), on METRICS_HOST:METRICS_PORT.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const registry = options.registry ?? register;
  const readyTimeoutMs = options.readyTimeoutMs ?? 5_000;
  let shuttingDown = false;

  const readiness = async (response: ServerResponse) => {
    if (shuttingDown) return json(response, 503, { status: 'shutting down', checks: [] });
    const limit = timeout(readyTimeoutMs, 'readiness checks');
    try {
      const checks = await Promise.race([options.ready(), limit.promise]);
      const ok = checks.every((c) => c.ok) && !shuttingDown;
      json(response, ok ? 200 : 503, { status: shuttingDown ? 'shutting down' : ok ? 'ready' : 'not ready', checks });
    } catch (error) {
      json(response, 503, { status: 'not ready', checks: [{ name: 'readiness', ok: false, detail: (error as Error).message }] });
    } finally {
      limit.cancel();
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return json(response, 405, { error: 'method not allowed' });
    }
    switch (path) {
      case '/healthz':
        return json(response, 200, { status: 'ok' });
      case '/readyz':
        return readiness(response);
      case '/metrics':
        try {
          return send(response, 200, registry.contentType, await registry.metrics());
        } catch (error) {
          options.logger?.warn({ err: error }, 'metrics collection failed');
          return send(response, 500, 'text/plain; charset=utf-8', `metrics collection failed: ${(error as Error).message}\n`);
        }
      default:
        return json(response, 404, { error: 'not found', endpoints: ['/healthz', '/readyz', '/metrics'] });
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.logger?.error({ err: error }, 'health endpoint failed');
      if (!response.headersSent) json(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });
  // Probes and scrapers keep connections open; they must not hold the process up at exit.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  options.logger?.info({ host: options.host, port, endpoints: ['/healthz', '/readyz', '/metrics'] }, 'health server listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    url,
    get shuttingDown() {
      return shuttingDown;
    },
    markShuttingDown: () => {
      shuttingDown = true;
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        shuttingDown = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      })),
  };
}
