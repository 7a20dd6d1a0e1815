import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, at any depth up to four (pino has no recursive wildcard). */
const SECRET_KEYS = ['password', 'token', 'apiKey', 'authorization', 'cookie', 'secretAccessKey', 'sessionToken', 'adminToken', 'apiToken'];

/**
 * Paths whose values never reach a log line, wherever they appear in the bound context or
 * in logged objects: tokens, passwords, credentials, cookies and authorization headers.
 */
export const REDACTED_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.headers["set-cookie"]',
  'headers["set-cookie"]',
];

export function createLogger(options: { app: string; level: string; destination?: DestinationStream }): Logger {
  return pino({
    name: options.app,
    level: options.level,
    base: { app: options.app, pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, options.destination);
}

/** Strips user:password from a connection URL so it can be logged. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return '[unparseable url]';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = 'redacted';
  return parsed.toString();
}

/**
 * Replaces the value of query parameters that may carry a secret (`token`, `access_token`, …)
 * in a request URL, so a logged URL cannot replay a login link.
 */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const params = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      return /token|password|secret|key|auth/i.test(decodeURIComponentSafe(name)) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, at)}?${params.join('&')}`;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
