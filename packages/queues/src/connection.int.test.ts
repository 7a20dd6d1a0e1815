import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '@coldstart/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRedis } from './connection.js';

/** A redis-server of the test's own on `port`, so it can be taken away and brought back. */
function startRedisServer(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

describe('createRedis with a logger', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('logs one line when Redis is lost however many reconnects fail, and one when it is back', async () => {
    const port = await freePort();
    const logger = { warn: vi.fn(), info: vi.fn() };
    const redis = createRedis(`redis://127.0.0.1:${port}`, 'worker', logger);
    cleanups.push(() => redis.disconnect());
    let errors = 0;
    redis.on('error', () => errors++);

    await vi.waitFor(() => expect(errors).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 50 });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]?.[1]).toBe('Redis connection lost; reconnecting');

    let server = startRedisServer(port);
    cleanups.push(() => void server.kill('SIGKILL'));
    await vi.waitFor(() => expect(logger.info).toHaveBeenCalledWith(expect.objectContaining({ downMs: expect.any(Number) }), 'Redis connection restored'), { timeout: 10_000, interval: 50 });
    expect(await redis.ping()).toBe('PONG');

    // A second outage is reported again: the first did not silence the listener for good.
    server.kill('SIGKILL');
    await once(server, 'exit');
    await vi.waitFor(() => expect(logger.warn).toHaveBeenCalledTimes(2), { timeout: 10_000, interval: 50 });
    server = startRedisServer(port);
    await vi.waitFor(() => expect(logger.info).toHaveBeenCalledTimes(2), { timeout: 10_000, interval: 50 });
  });
});
