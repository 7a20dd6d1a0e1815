import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyRequest } from 'fastify';
import { EVENT_LIMITS, idProblem } from '@coldstart/events';
import { attributionMetrics, type AttributionStore } from '@coldstart/experiments';
import { counter, defaultRegistry, histogram, LATENCY_BUCKETS, redactQuery, type Logger, type Registry } from '@coldstart/runtime';
import type { RecommendationList, RecommendationStore } from '@coldstart/store';
import { dashboardMode, guardDashboard, isDashboardRequest, mountDashboard, type DashboardOptions } from './dashboard.js';
import { EXPERIMENTS_PANEL_PATH, experimentsPanel } from './experiments-panel.js';

export interface ApiDeps {
  recommendations: Pick<RecommendationStore, 'get'>;
  /** Records each list version served (an impression), so interactions can be credited to it; none: nothing is attributed. */
  attribution?: Pick<AttributionStore, 'recordImpression' | 'experiments' | 'counts' | 'settings'>;
  /** Readiness: resolves when the store is reachable. */
  ping: () => Promise<unknown>;
  /** When set, every /v1 request needs `Authorization: Bearer <token>`; it also opens the dashboard read-only. */
  token?: string | undefined;
  /** Opens the queue dashboard read-write. */
  adminToken?: string | undefined;
  /** The queues the dashboard at /admin/queues shows; no dashboard without it or without any token. */
  dashboard?: Pick<DashboardOptions, 'connection' | 'queues'> | undefined;
  /** True once the process is shutting down: /readyz answers 503 so load balancers stop sending. */
  shuttingDown?: () => boolean;
  registry?: Registry;
  logger: Logger;
}

/** Compares digests, so the check takes the same time whatever the presented token's length or content. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));
}

/** Fastify's request fields, with secret query parameters (`?token=`) redacted from the URL. */
const requestSerializer = (request: FastifyRequest) => ({
  method: request.method,
  url: redactQuery(request.url),
  route: request.routeOptions?.url,
  host: request.host,
  remoteAddress: request.ip,
});

export function buildApi(deps: ApiDeps) {
  const registry = deps.registry ?? defaultRegistry;
  const logger = deps.logger.child({}, { serializers: { req: requestSerializer } });
  // Ids may be 128 characters, percent-encoded to three times that; longer ones get a 400, not a 404.
  const app = Fastify({
    loggerInstance: logger,
    routerOptions: { maxParamLength: EVENT_LIMITS.idLength * 12 },
    // Per-request lines would log every user id read, so only at debug and trace; errors are always logged.
    logController: new LogController({ disableRequestLogging: !deps.logger.isLevelEnabled('debug') }),
  });

  const requests = counter({
    name: 'coldstart_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registry,
  });
  const durations = histogram({
    name: 'coldstart_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registry,
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    durations.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  const attributed = attributionMetrics(registry);

  const tokens = { apiToken: deps.token, adminToken: deps.adminToken };
  const dashboardOn = deps.dashboard !== undefined && dashboardMode(tokens) !== 'disabled';

  app.addHook('onRequest', async (request, reply) => {
    if (dashboardOn && isDashboardRequest(request)) {
      const answered = guardDashboard(request, reply, tokens);
      if (!answered) return;
      request.log.info({ req: request, statusCode: reply.statusCode }, 'dashboard request refused or redirected');
      return answered;
    }
    // Checked on the matched route as well as the raw URL: the router decodes percent-escapes
    // in the path, so `/%76%31/users/…` reaches the /v1 route without starting with "/v1/".
    const protectedPath = request.routeOptions.url?.startsWith('/v1/') === true || request.url.startsWith('/v1/');
    if (!deps.token || !protectedPath) return;
    if (!tokenMatches(request.headers.authorization, deps.token)) {
      request.log.info({ req: request }, 'refused: missing or invalid bearer token');
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid bearer token' });
    }
  });

  app.get<{ Params: { userId: string } }>('/v1/users/:userId/recommendations', async (request, reply) => {
    const { userId } = request.params;
    const problem = idProblem(userId, EVENT_LIMITS.idLength);
    if (problem) return reply.code(400).send({ error: `userId ${problem}` });
    const list = await deps.recommendations.get(userId);
    if (!list) return reply.code(404).send({ error: `no recommendations for user ${JSON.stringify(userId)}` });
    await recordImpression(list, request.log);
    // Each item's position (1-based) as served: what a client sends back, with the list's
    // recommendationId, to say which slot of which list an interaction came from.
    return { ...list, items: list.items.map((item, i) => ({ ...item, position: i + 1 })) };
  });

  /** Counts the list as served; a failure to count is logged and the list served all the same. */
  async function recordImpression(list: RecommendationList & { recommendationId: string }, log: Logger): Promise<void> {
    if (!deps.attribution) return;
    try {
      const record = await deps.attribution.recordImpression(list, Date.now());
      if (!record) return;
      const { experiment, variant } = record;
      attributed.impressions.inc({ experiment, variant });
      for (const [, kind] of record.items) attributed.slots.inc({ experiment, variant, reason_kind: kind });
    } catch (error) {
      log.error({ err: error, recommendationId: list.recommendationId }, 'could not record the impression; list served without it');
    }
  }

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (deps.shuttingDown?.()) return reply.code(503).send({ status: 'shutting down' });
    try {
      await deps.ping();
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'not ready', error: (error as Error).message });
    }
  });
  // Open like the probes: counts and latencies, no ids or secrets.
  app.get('/metrics', async (_request, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));

  if (dashboardOn && deps.dashboard) {
    const closeQueues = mountDashboard(app, { ...deps.dashboard, ...tokens });
    if (deps.attribution) app.get(EXPERIMENTS_PANEL_PATH, experimentsPanel(deps.attribution));
    app.addHook('onClose', closeQueues);
  }
  return app;
}
