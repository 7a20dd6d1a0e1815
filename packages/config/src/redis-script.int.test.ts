import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript, scriptSha } from './redis-script.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const key = `coldstart-test:redis-script:${process.pid}`;
// Unique text per run, so no earlier run left it in the server's script cache.
const INCR_BY_ARG = `-- ${process.pid} ${Date.now()}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;

describe('runScript on a real Redis', () => {
  afterAll(async () => {
    await redis.del(key);
    await redis.quit();
  });

  it('loads a script the server lacks once, runs it once per call, and then by its SHA', async () => {
    expect(await redis.script('EXISTS', scriptSha(INCR_BY_ARG))).toEqual([0]);
    expect(await runScript(redis, INCR_BY_ARG, [key], [5])).toBe(5);
    expect(await redis.script('EXISTS', scriptSha(INCR_BY_ARG))).toEqual([1]);
    const evalsBefore = await commandCalls('eval');
    expect(await runScript(redis, INCR_BY_ARG, [key], [2])).toBe(7);
    expect(await commandCalls('eval')).toBe(evalsBefore);
  });

  it('runs the script once when the server forgot it (a restart flushes the script cache)', async () => {
    await redis.set(key, 0);
    await redis.script('FLUSH');
    expect(await runScript(redis, INCR_BY_ARG, [key], [3])).toBe(3);
  });

  it('passes a script error through', async () => {
    await expect(runScript(redis, `${INCR_BY_ARG} -- `, [key], ['not a number'])).rejects.toThrow(/not an integer/);
  });
});

/** How many times the server ran `command` (INFO commandstats). */
async function commandCalls(command: string): Promise<number> {
  const info = await redis.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}
