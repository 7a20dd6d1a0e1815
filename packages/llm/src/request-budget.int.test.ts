import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { RequestBudget } from './request-budget.js';

describe('RequestBudget', () => {
  let fx: RedisFixture;
  beforeEach(async () => {
    fx = await createRedisFixture();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  it('grants N requests per second across processes, then says how long until the next second', async () => {
    const clock = { t: 1_700_000_000_250 };
    const a = new RequestBudget(fx.redis, fx.prefix, 3, () => clock.t);
    const b = new RequestBudget(fx.redis.duplicate(), fx.prefix, 3, () => clock.t);
    expect([await a.take('v'), await b.take('v'), await a.take('v')]).toEqual([0, 0, 0]);
    expect(await b.take('v')).toBe(750);
    // Another variant has its own budget.
    expect(await a.take('other')).toBe(0);
    clock.t += 750;
    expect(await a.take('v')).toBe(0);
  });
});
