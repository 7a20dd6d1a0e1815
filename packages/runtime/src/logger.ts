import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line, wherever they appear in the bound context or
 * in logged objects: tokens, passwords, credentials, and URLs that may carry them.
 */
const REDACTED_PATHS = [
  '*.password',
  '*.token',
  '*.apiKey',
  '*.authorization',
  '*.secretAccessKey',
  '*.sessionToken',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(options: { app: string; level: string }): Logger {
  return pino({
    name: options.app,
    level: options.level,
    base: { app: options.app, pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** Strips user:password from a connection URL so it can be logged. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return '[unparseable url]';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = 'redacted';
  return parsed.toString();
}
