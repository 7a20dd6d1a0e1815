import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { installShutdown } from './shutdown.js';

const logger = pino({ level: 'silent' });

describe('installShutdown', () => {
  afterEach(() => {
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGINT');
    vi.useRealTimers();
  });

  it('closes once and exits 0, even when asked twice', async () => {
    const exit = vi.fn();
    const close = vi.fn(async () => {});
    const { shutdown } = installShutdown({ logger, deadlineMs: 1000, close, exit });
    await Promise.all([shutdown('test'), shutdown('again')]);
    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('exits 1 when close outlives the deadline', async () => {
    vi.useFakeTimers();
    const exit = vi.fn();
    installShutdown({ logger, deadlineMs: 500, close: () => new Promise(() => {}), exit });
    process.emit('SIGTERM', 'SIGTERM');
    await vi.advanceTimersByTimeAsync(499);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('a second SIGTERM exits at once', () => {
    const exit = vi.fn();
    installShutdown({ logger, deadlineMs: 10_000, close: () => new Promise(() => {}), exit });
    process.emit('SIGTERM', 'SIGTERM');
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGTERM', 'SIGTERM');
    expect(exit).toHaveBeenCalledWith(143);
  });

  it('marks the health server shutting down first and closes it after the work', async () => {
    const order: string[] = [];
    const health = { markShuttingDown: () => void order.push('mark'), close: async () => void order.push('health closed') };
    const exit = vi.fn();
    const { shutdown } = installShutdown({ logger, deadlineMs: 1000, health, close: async () => void order.push('work closed'), exit });
    await shutdown('test');
    expect(order).toEqual(['mark', 'work closed', 'health closed']);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('exits 1 when close fails', async () => {
    const exit = vi.fn();
    const { shutdown } = installShutdown({ logger, deadlineMs: 1000, close: async () => { throw new Error('boom'); }, exit });
    await shutdown('test');
    expect(exit).toHaveBeenCalledWith(1);
  });
});
