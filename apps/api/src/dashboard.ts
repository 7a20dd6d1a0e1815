import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { RedisClient } from '@coldstart/config';
import { QUEUE_NAMES } from '@coldstart/pipeline';
import type { QueuePartitions } from '@coldstart/queues';

export const DASHBOARD_PATH = '/admin/queues';
export const DASHBOARD_COOKIE = 'coldstart_dashboard';

export interface DashboardOptions {
  /** Redis of the deployment whose queues the board shows. */
  connection: RedisClient;
  /** Where its queues are: each queue partition's BullMQ prefix. */
  queues: QueuePartitions;
  /** Reads (GET/HEAD) with this token. Unset: only the admin token opens the board. */
  apiToken?: string | undefined;
  /** Everything, mutations included, with this token. Unset: the board is read-only. */
  adminToken?: string | undefined;
}

export type DashboardRole = 'admin' | 'viewer';

/**
 * Which dashboards a configuration gets: none when neither token is set (the API may be open,
 * the dashboard never is), read-only for API_TOKEN, read-write for API_ADMIN_TOKEN.
 */
export function dashboardMode(options: Pick<DashboardOptions, 'apiToken' | 'adminToken'>): 'disabled' | 'read-only' | 'read-write' {
  if (!options.apiToken && !options.adminToken) return 'disabled';
  return options.adminToken ? 'read-write' : 'read-only';
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Same time whatever the presented value's length or content. */
function sameSecret(presented: string | undefined, expected: string): boolean {
  return timingSafeEqual(digest(presented ?? ''), digest(expected));
}

/**
 * The cookie holds a value derived from the token, not the token: a leaked cookie opens the
 * dashboard only (and only until the token rotates), never the API.
 */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('coldstart-dashboard-session-v1').digest('base64url');
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

function bearer(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

/** Under /admin/queues by the matched route or the raw URL (the router decodes %-escapes). */
export function isDashboardRequest(request: FastifyRequest): boolean {
  const under = (path: string | undefined) =>
    path !== undefined && (path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`) || path.startsWith(`${DASHBOARD_PATH}?`));
  return under(request.routeOptions.url) || under(request.url);
}

/**
 * Authorises a dashboard request. Credentials: `Authorization: Bearer <token>`, or the session
 * cookie a `?token=` visit set. Every comparison runs, so timing does not tell which one matched.
 */
export function dashboardRole(request: FastifyRequest, options: Pick<DashboardOptions, 'apiToken' | 'adminToken'>): DashboardRole | undefined {
  const presented = bearer(request.headers.authorization);
  const cookie = readCookie(request.headers.cookie, DASHBOARD_COOKIE);
  const matches = (token: string | undefined) => {
    if (!token) return false;
    const byHeader = sameSecret(presented, token);
    const byCookie = sameSecret(cookie, sessionValue(token));
    return byHeader || byCookie;
  };
  const admin = matches(options.adminToken);
  const viewer = matches(options.apiToken);
  return admin ? 'admin' : viewer ? 'viewer' : undefined;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * The onRequest guard for /admin/queues: 401 without a valid token; reads for either token;
 * anything else (bull-board mutates only with PUT, POST and PATCH) only for the admin token.
 * `?token=<token>` on a GET sets an HttpOnly SameSite=Strict session cookie scoped to the
 * dashboard and redirects to the same URL without the token, for browsers. Returns the reply
 * when it answered (refused or redirected), undefined when the request may go on.
 */
export function guardDashboard(
  request: FastifyRequest,
  reply: FastifyReply,
  options: Pick<DashboardOptions, 'apiToken' | 'adminToken'>,
): FastifyReply | undefined {
  const url = new URL(request.url, 'http://localhost');
  const queryToken = url.searchParams.get('token');
  if (queryToken !== null && READ_METHODS.has(request.method)) {
    // Both comparisons run, so timing does not tell which token it was.
    const [admin, viewer] = [options.adminToken, options.apiToken].map((t) => t !== undefined && sameSecret(queryToken, t));
    const token = admin ? options.adminToken : viewer ? options.apiToken : undefined;
    if (!token) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid token' });
    url.searchParams.delete('token');
    const secure = request.protocol === 'https' ? '; Secure' : '';
    return reply
      .code(303)
      .header('set-cookie', `${DASHBOARD_COOKIE}=${sessionValue(token)}; Path=${DASHBOARD_PATH}; HttpOnly; SameSite=Strict; Max-Age=43200${secure}`)
      .header('cache-control', 'no-store')
      .header('location', `${url.pathname}${url.search}`)
      .send();
  }
  const role = dashboardRole(request, options);
  if (!role) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid token' });
  if (!READ_METHODS.has(request.method) && role !== 'admin') {
    return reply.code(403).send({ error: options.adminToken ? 'the dashboard is read-only without the admin token' : 'the dashboard is read-only: API_ADMIN_TOKEN is not set' });
  }
  return undefined;
}

/**
 * Mounts bull-board for the four queues under /admin/queues (with queue partitions, each queue
 * once per partition: `expand`, `p1:expand`, …). With no admin token configured
 * the adapters are read-only too, so the UI hides its buttons and bull-board itself refuses
 * mutations; with one, the guard above decides per request. Returns a closer for the queues.
 */
export function mountDashboard(app: { register(plugin: FastifyPluginCallback, options: { prefix: string }): PromiseLike<unknown> }, options: DashboardOptions): () => Promise<void> {
  const readOnlyMode = !options.adminToken;
  const partitions = QUEUE_NAMES.flatMap((name) => options.queues.queues(name, options.connection).map((queue, partition) => ({ partition, queue })));
  const queues = partitions.map(({ queue }) => queue);
  const serverAdapter = new FastifyAdapter();
  createBullBoard({
    queues: partitions.map(({ partition, queue }) => new BullMQAdapter(queue, { readOnlyMode, ...(partition > 0 ? { prefix: `p${partition}:` } : {}) })),
    serverAdapter,
    options: { uiConfig: { boardTitle: `coldstart · ${options.queues.keyPrefix}` } },
  });
  serverAdapter.setBasePath(DASHBOARD_PATH);
  void app.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  return async () => {
    await Promise.all(queues.map((queue) => queue.close()));
  };
}
