import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { LogController } from 'fastify';
import { EVENT_LIMITS, idProblem } from '@coldstart/events';
import type { Logger } from '@coldstart/runtime';
import type { RecommendationStore } from '@coldstart/store';

export interface ApiDeps {
  recommendations: Pick<RecommendationStore, 'get'>;
  /** Readiness: resolves when the store is reachable. */
  ping: () => Promise<unknown>;
  /** When set, every /v1 request needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  logger: Logger;
}

/** Compares digests, so the check takes the same time whatever the presented token's length or content. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));
}

export function buildApi(deps: ApiDeps) {
  // Ids may be 128 characters, percent-encoded to three times that; longer ones get a 400, not a 404.
  const app = Fastify({
    loggerInstance: deps.logger,
    routerOptions: { maxParamLength: EVENT_LIMITS.idLength * 12 },
    // Per-request lines would log every user id read; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.addHook('onRequest', async (request, reply) => {
    // Checked on the matched route as well as the raw URL: the router decodes percent-escapes
    // in the path, so `/%76%31/users/…` reaches the /v1 route without starting with "/v1/".
    const protectedPath = request.routeOptions.url?.startsWith('/v1/') === true || request.url.startsWith('/v1/');
    if (!deps.token || !protectedPath) return;
    if (!tokenMatches(request.headers.authorization, deps.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid bearer token' });
    }
  });

  app.get<{ Params: { userId: string } }>('/v1/users/:userId/recommendations', async (request, reply) => {
    const { userId } = request.params;
    const problem = idProblem(userId, EVENT_LIMITS.idLength);
    if (problem) return reply.code(400).send({ error: `userId ${problem}` });
    const list = await deps.recommendations.get(userId);
    if (!list) return reply.code(404).send({ error: `no recommendations for user ${JSON.stringify(userId)}` });
    return list;
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await deps.ping();
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'not ready', error: (error as Error).message });
    }
  });
  return app;
}
