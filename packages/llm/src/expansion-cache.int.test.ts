import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createRedisFixture, TEST_REDIS_URL, type RedisFixture } from '@coldstart/testing';
import { ExpansionCache, type ExpansionCacheOptions } from './expansion-cache.js';

let fx: RedisFixture;
const extra: Redis[] = [];
beforeEach(async () => {
  fx = await createRedisFixture();
});
afterEach(async () => {
  claims.clear();
  await Promise.all(extra.splice(0).map((r) => r.quit()));
  await fx.cleanup();
});

const options: ExpansionCacheOptions = { ttlSeconds: 60, leaseMs: 2_000, failureTtlMs: 1_000, pollMs: 10 };
/** Each cache's claims: every claim on the key is one EVALSHA on the cache's own connection (runScript). */
const claims = new Map<ExpansionCache, MockInstance>();
/** A cache on its own connection: what another expand process would have. */
function processCache(overrides: Partial<ExpansionCacheOptions> = {}) {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  extra.push(redis);
  const cache = new ExpansionCache(redis, fx.prefix, { ...options, ...overrides });
  claims.set(cache, vi.spyOn(redis, 'evalsha'));
  return cache;
}
const key = ExpansionCache.keyOf('llama-3.2-3b', 'published-v1', 'interests=fantasy');
const cacheKey = (suffix = '') => `${fx.prefix}:llm:expansion:${key}${suffix}`;

/**
 * Ends a key's TTL now instead of sleeping through it: the key must have one (so it would
 * expire by itself) of at most `ttlMs`; PEXPIRE 1 then lets Redis expire it as it would later.
 */
async function expireNow(name: string, ttlMs: number): Promise<void> {
  const left = await fx.redis.pttl(name);
  expect(left).toBeGreaterThan(0);
  expect(left).toBeLessThanOrEqual(ttlMs);
  await fx.redis.pexpire(name, 1);
  await vi.waitFor(async () => expect(await fx.redis.exists(name)).toBe(0), { timeout: 1_000, interval: 5 });
}

describe('ExpansionCache', () => {
  it('keys on model, prompt version and input, each of them', () => {
    const keys = new Set([
      key,
      ExpansionCache.keyOf('llama-3.1-8b', 'published-v1', 'interests=fantasy'),
      ExpansionCache.keyOf('llama-3.2-3b', 'contextual-v1', 'interests=fantasy'),
      ExpansionCache.keyOf('llama-3.2-3b', 'published-v1', 'interests=horror'),
    ]);
    expect(keys.size).toBe(4);
  });

  it('serves a stored answer without a lease', async () => {
    const leader = await processCache().coalesce(key);
    if (leader.role !== 'leader') throw new Error('expected the leader');
    await leader.settle({ topics: ['a', 'b', 'c'] });
    expect(await processCache().coalesce(key)).toEqual({ role: 'cached', topics: ['a', 'b', 'c'] });
  });

  it('lets the next caller lead after a release without a verdict, with nobody falling back', async () => {
    const leader = await processCache().coalesce(key);
    if (leader.role !== 'leader') throw new Error('expected the leader');
    await leader.settle({ released: true });
    expect((await processCache().coalesce(key)).role).toBe('leader');
  });

  it('releases the lease of a server that forgot the release script (a restart), with the answer stored', async () => {
    const leader = await processCache().coalesce(key);
    if (leader.role !== 'leader') throw new Error('expected the leader');
    await fx.redis.script('FLUSH');
    await leader.settle({ released: true });
    expect(await fx.redis.exists(cacheKey(':lease'))).toBe(0);
    const next = await processCache().coalesce(key);
    if (next.role !== 'leader') throw new Error('expected the next caller to lead');
    await fx.redis.script('FLUSH');
    await next.settle({ topics: ['a', 'b', 'c'] });
    expect(await fx.redis.exists(cacheKey(':lease'))).toBe(0);
    expect(await processCache().coalesce(key)).toEqual({ role: 'cached', topics: ['a', 'b', 'c'] });
  });

  it('makes one caller the leader and hands its answer to every waiting process', async () => {
    const caches = [processCache(), processCache(), processCache()];
    const first = await caches[0]!.coalesce(key);
    expect(first.role).toBe('leader');
    const waiting = Promise.all(caches.slice(1).map((c) => c.coalesce(key)));
    // A cache claims again only after its first claim answered "wait": both are followers now.
    await vi.waitFor(() => {
      for (const cache of caches.slice(1)) expect(claims.get(cache)?.mock.calls.length).toBeGreaterThanOrEqual(2);
    });
    if (first.role !== 'leader') throw new Error('unreachable');
    await first.settle({ topics: ['epic fantasy', 'dragons', 'quests'] });
    for (const turn of await waiting) expect(turn).toEqual({ role: 'follower', outcome: { topics: ['epic fantasy', 'dragons', 'quests'] } });
    expect((await caches[2]!.get(key))?.topics).toEqual(['epic fantasy', 'dragons', 'quests']);
    expect(await fx.redis.ttl(cacheKey())).toBeGreaterThan(50);
    expect(await fx.redis.exists(cacheKey(':lease'))).toBe(0);
  });

  it('passes a leader\'s failure to its followers and to new arrivals for a short while, then lets a new leader try', async () => {
    const [a, b, c] = [processCache(), processCache(), processCache()];
    const leader = await a.coalesce(key);
    const follower = b.coalesce(key);
    if (leader.role !== 'leader') throw new Error('expected the leader');
    await leader.settle({ failed: true });
    expect(await follower).toEqual({ role: 'follower', outcome: { failed: true } });
    expect(await c.coalesce(key)).toEqual({ role: 'follower', outcome: { failed: true } });
    expect(await b.get(key)).toBeUndefined();
    await expireNow(cacheKey(':failed'), options.failureTtlMs);
    expect((await b.coalesce(key)).role).toBe('leader');
  });

  it('lets a follower take over when the leader dies holding the lease', async () => {
    const [a, b] = [processCache({ leaseMs: 300 }), processCache({ leaseMs: 300 })];
    expect((await a.coalesce(key)).role).toBe('leader'); // …and never settles
    const started = Date.now();
    expect((await b.coalesce(key)).role).toBe('leader');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('does not release a lease that another process took over', async () => {
    const [a, b] = [processCache({ leaseMs: 200 }), processCache({ leaseMs: 5_000 })];
    const slow = await a.coalesce(key);
    await expireNow(cacheKey(':lease'), 200);
    const taker = await b.coalesce(key);
    expect(taker.role).toBe('leader');
    if (slow.role !== 'leader') throw new Error('expected the leader');
    await slow.settle({ failed: true });
    expect(await fx.redis.exists(cacheKey(':lease'))).toBe(1);
  });

  it('stops waiting when the job is aborted', async () => {
    const [a, b] = [processCache(), processCache()];
    await a.coalesce(key);
    await expect(b.coalesce(key, AbortSignal.timeout(100))).rejects.toThrow();
  });

  it('treats an entry it cannot read as a miss', async () => {
    await fx.redis.set(cacheKey(), '{"topics": "not a list"}');
    expect(await processCache().get(key)).toBeUndefined();
    await fx.redis.set(cacheKey(), 'not json');
    expect(await processCache().get(key)).toBeUndefined();
    expect((await processCache().coalesce(key)).role).toBe('leader');
  });
});
