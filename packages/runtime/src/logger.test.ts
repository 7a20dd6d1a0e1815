import { describe, expect, it } from 'vitest';
import { createLogger, redactQuery, redactUrl } from './logger.js';

function capture(level = 'debug') {
  const lines: string[] = [];
  const logger = createLogger({ app: 'test', level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, text: () => lines.join('') };
}

const SECRET = 's3cr3t-value-0123456789';

describe('createLogger redaction', () => {
  it.each(['token', 'password', 'authorization', 'apiKey', 'secretAccessKey', 'sessionToken', 'cookie'])('hides %s at every depth up to four', (key) => {
    const { logger, lines, text } = capture();
    logger.info({ [key]: SECRET }, 'depth 1');
    logger.info({ a: { [key]: SECRET } }, 'depth 2');
    logger.info({ a: { b: { [key]: SECRET } } }, 'depth 3');
    logger.info({ a: { b: { c: { [key]: SECRET } } } }, 'depth 4');
    logger.child({ [key]: SECRET }).info('bound');
    expect(lines).toHaveLength(5);
    expect(text()).not.toContain(SECRET);
    expect(text().match(/\[redacted\]/g)).toHaveLength(5);
  });

  it('hides request and response headers that carry credentials, keeps the rest', () => {
    const { logger, text } = capture();
    logger.info({ req: { method: 'GET', url: '/v1/x', headers: { authorization: `Bearer ${SECRET}`, cookie: `c=${SECRET}`, 'user-agent': 'probe' } } }, 'request');
    logger.info({ res: { statusCode: 303, headers: { 'set-cookie': `coldstart_dashboard=${SECRET}` } } }, 'response');
    expect(text()).not.toContain(SECRET);
    expect(text()).toContain('probe');
    expect(text()).toContain('/v1/x');
  });

  it('logs nothing below its level', () => {
    const { logger, lines } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ app: 'test', msg: 'loud', level: 40 });
  });
});

describe('redactQuery and redactUrl', () => {
  it('hides secret query parameters and keeps the others', () => {
    expect(redactQuery(`/admin/queues?token=${SECRET}&page=2`)).toBe('/admin/queues?token=[redacted]&page=2');
    expect(redactQuery(`/x?access_token=${SECRET}`)).toBe('/x?access_token=[redacted]');
    expect(redactQuery('/x?%74oken=abc')).toBe('/x?%74oken=[redacted]');
    expect(redactQuery('/v1/users/u/recommendations')).toBe('/v1/users/u/recommendations');
  });

  it('strips the password from a connection URL', () => {
    expect(redactUrl(`redis://user:${SECRET}@redis:6379/0`)).toBe('redis://user:redacted@redis:6379/0');
    expect(redactUrl('not a url')).toBe('[unparseable url]');
  });
});
