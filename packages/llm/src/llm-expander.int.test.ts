import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogExpander, categoryStatsOf, type ExpansionInput } from '@coldstart/expander';
import { startLlmServer, type FaultProfileInput, type LlmServer } from '@coldstart/llm-server';
import { Registry } from '@coldstart/runtime';
import { createRedisFixture, TEST_REDIS_URL, type RedisFixture } from '@coldstart/testing';
import { ExpansionCache } from './expansion-cache.js';
import { LlmExpander, type LlmExpanderOptions } from './llm-expander.js';
import { llmMetrics } from './llm-metrics.js';
import { RequestBudget } from './request-budget.js';
import { LlmRateLimitedError } from './topics-request.js';
import type { ModelVariantInput } from './model-variants.js';
import { ModelVariants } from './model-variants.js';

// The real fallback expander, over category statistics as the catalog store keeps them.
const fallback = new CatalogExpander({
  categoryStats: () =>
    Promise.resolve(categoryStatsOf([['fantasy', 'magic', 'dragons'], ['fantasy', 'magic', 'quests'], ['fantasy', 'dragons', 'epic'], ['horror', 'ghosts'], ['romance', 'regency'], ['history', 'war'], ['science', 'space']])),
});

let fx: RedisFixture;
const closers: (() => Promise<unknown>)[] = [];
beforeEach(async () => {
  fx = await createRedisFixture();
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  await fx.cleanup();
});

interface Started {
  server: LlmServer;
  bodies: Record<string, unknown>[];
}
async function server(faults: FaultProfileInput = {}): Promise<Started> {
  const bodies: Record<string, unknown>[] = [];
  const started = await startLlmServer({ models: ['llama-3.2-3b'], faults, onChatRequest: (body) => bodies.push(body as Record<string, unknown>) });
  closers.push(() => started.close());
  return { server: started, bodies };
}

/** An expander as one expand process builds it: its own Redis connection and metrics. */
function expander(variants: Record<string, ModelVariantInput | { expander: string }>, overrides: Partial<LlmExpanderOptions> = {}) {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  closers.push(() => redis.quit());
  const registry = new Registry();
  const metrics = llmMetrics(registry);
  const instance = new LlmExpander({
    variants: ModelVariants.parse(variants),
    experiment: 'test',
    fallback,
    cache: new ExpansionCache(redis, fx.prefix, { ttlSeconds: 60, leaseMs: 5_000, failureTtlMs: 500, pollMs: 10 }),
    request: { timeoutMs: 2_000, retries: 2, retryBaseMs: 10 },
    breaker: { failureThreshold: 3, openMs: 60_000 },
    metrics,
    ...overrides,
  });
  return { instance, registry };
}
const one = (s: Started, extra: Partial<ModelVariantInput> = {}) => ({ default: { baseUrl: s.server.baseUrl, model: 'llama-3.2-3b', ...extra } });
const user = (userId: string, categories: string[]): ExpansionInput => ({ userId, categories, seedItems: [] });
const metric = async (registry: Registry, name: string) => (await registry.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;

describe('LlmExpander against the local OpenAI-compatible server', () => {
  it('asks with a strict json_schema (never guided_json) and records source, model and variant', async () => {
    const s = await server();
    const { instance } = expander(one(s));
    const result = await instance.expand(user('u1', ['fantasy']));
    expect(result).toMatchObject({ source: 'llm', expander: 'llm:llama-3.2-3b', variant: 'default', promptVersion: 'published-v1' });
    expect(result.topics.length).toBeGreaterThanOrEqual(3);
    expect(result.topics.length).toBeLessThanOrEqual(5);
    const body = s.bodies[0]!;
    expect(body.response_format).toMatchObject({ type: 'json_schema', json_schema: { strict: true, schema: { properties: { topics: { minItems: 3, maxItems: 5 } } } } });
    expect(body).not.toHaveProperty('guided_json');
    expect(body.max_tokens).toBe(128);
    expect(body.messages).toEqual([{ role: 'user', content: expect.stringContaining('The user has shown interest in: fantasy.') as unknown }]);
  });

  it('serves the same interests from the cache: one request for many users', async () => {
    const s = await server();
    const { instance, registry } = expander(one(s));
    const first = await instance.expand(user('u1', ['fantasy']));
    const later = await Promise.all(['u2', 'u3', 'u4'].map((id) => instance.expand(user(id, ['Fantasy']))));
    expect(later.map((r) => r.source)).toEqual(['cache', 'cache', 'cache']);
    for (const r of later) expect(r.topics).toEqual(first.topics);
    expect(s.server.stats().requests).toBe(1);
    expect(await metric(registry, 'coldstart_llm_cache_hits_total')).toBe(3);
  });

  it('coalesces identical in-flight requests across processes into one request', async () => {
    const s = await server({ latency: { kind: 'fixed', ms: 300 } });
    const processes = [expander(one(s)), expander(one(s)), expander(one(s))];
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => processes[i % 3]!.instance.expand(user(`u${i}`, ['horror']))));
    expect(s.server.stats().requests).toBe(1);
    expect(results.filter((r) => r.source === 'llm')).toHaveLength(1);
    expect(results.filter((r) => r.source === 'cache')).toHaveLength(29);
    expect(new Set(results.map((r) => JSON.stringify(r.topics))).size).toBe(1);
  });

  it('sends different users\' conversations in one batched request with a batch size, each user getting the topics a request of their own gets', async () => {
    const s = await server();
    const interests = [['fantasy'], ['horror'], ['romance'], ['history']];
    const { instance, registry } = expander(one(s), { batch: { maxSize: 32, windowMs: 20 } });
    const batched = await Promise.all(interests.map((categories, i) => instance.expand(user(`u${i}`, categories))));
    expect(s.server.stats()).toMatchObject({ requests: 1, conversations: 4 });
    expect(batched.map((r) => r.source)).toEqual(['llm', 'llm', 'llm', 'llm']);
    // Asked again one by one, past the cache: a cache under another prefix.
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    closers.push(() => redis.quit());
    const alone = expander(one(s), { cache: new ExpansionCache(redis, `${fx.prefix}:alone`, { ttlSeconds: 60, leaseMs: 5_000, failureTtlMs: 500 }) });
    for (const [i, categories] of interests.entries()) expect((await alone.instance.expand(user(`v${i}`, categories))).topics).toEqual(batched[i]?.topics);
    expect(await metric(registry, 'coldstart_llm_calls_total')).toBe(4);
  });

  it('counts a failed batch as one failed request for the breaker, not one per conversation', async () => {
    const s = await server({ errors: { 503: 1 } });
    const { instance, registry } = expander(one(s), { batch: { maxSize: 32, windowMs: 20 } });
    const interests = ['fantasy', 'horror', 'romance', 'history', 'science'];
    const results = await Promise.all(interests.map((category, i) => instance.expand(user(`u${i}`, [category]))));
    expect(results.map((r) => r.source)).toEqual(interests.map(() => 'fallback'));
    // One batch, its first attempt and two retries.
    expect(s.server.stats()).toMatchObject({ requests: 3, conversations: 15 });
    // Five failed conversations, one failed request: the breaker (3 in a row) stays closed, and the next user is asked.
    expect(await metric(registry, 'coldstart_llm_breaker_open')).toBe(0);
    expect((await instance.expand(user('u9', ['poetry']))).source).toBe('fallback');
    expect(s.server.stats().requests).toBe(6);
  });

  it('repairs an unusable answer once, then falls back to the catalog expander', async () => {
    const s = await server({ outputs: { garbage: 1 } });
    const { instance, registry } = expander(one(s));
    const result = await instance.expand(user('u1', ['fantasy']));
    expect(result).toMatchObject({ source: 'fallback', expander: fallback.id, variant: 'default' });
    expect(result.topics[0]).toBe('fantasy');
    expect(s.server.stats().requests).toBe(2);
    const repair = s.bodies[1]!.messages as { role: string; content: string }[];
    expect(repair.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(await metric(registry, 'coldstart_llm_repair_prompts_total')).toBe(1);
    // A garbage answer is not a server failure: the breaker stays closed.
    expect(await metric(registry, 'coldstart_llm_breaker_open')).toBe(0);
  });

  it('parses the fenced, prose and think-tag answers of servers without structured outputs', async () => {
    for (const form of ['fenced', 'prose', 'think'] as const) {
      const s = await server({ outputs: { [form]: 1 } });
      const { instance } = expander(one(s, { responseFormat: 'plain' }), { experiment: form });
      // Other interests per form: the cache (shared through Redis) must not answer for the server.
      const result = await instance.expand(user(`u-${form}`, [`romance ${form}`]));
      expect(result.source, form).toBe('llm');
      expect(s.bodies[0]).not.toHaveProperty('response_format');
    }
  });

  it('retries 5xx with backoff, then falls back; the breaker stops calling a failing server', async () => {
    const s = await server({ errors: { '503': 1 } });
    const { instance, registry } = expander(one(s));
    const first = await instance.expand(user('u1', ['fantasy']));
    expect(first.source).toBe('fallback');
    expect(s.server.stats().requests).toBe(3); // 1 + 2 retries
    await instance.expand(user('u2', ['horror']));
    await instance.expand(user('u3', ['romance']));
    expect(s.server.stats().requests).toBe(9);
    // Three failed leaders in a row opened the breaker: no more requests.
    const after = await Promise.all(['history', 'science', 'war'].map((c, i) => instance.expand(user(`v${i}`, [c]))));
    expect(after.map((r) => r.source)).toEqual(['fallback', 'fallback', 'fallback']);
    expect(s.server.stats().requests).toBe(9);
    expect(await metric(registry, 'coldstart_llm_breaker_open')).toBe(1);
  });

  it('gives up on a hung server at the request timeout and falls back', async () => {
    const s = await server({ hangShare: 1 });
    const { instance } = expander(one(s), { request: { timeoutMs: 200, retries: 1, retryBaseMs: 10 } });
    const started = Date.now();
    const result = await instance.expand(user('u1', ['fantasy']));
    expect(result.source).toBe('fallback');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(s.server.stats().byOutcome.hang).toBe(2);
  });

  it('hands a 429 up with the server\'s Retry-After instead of retrying or falling back', async () => {
    const s = await server({ errors: { '429': 1 }, retryAfterSeconds: 7 });
    const { instance } = expander(one(s));
    const error = await instance.expand(user('u1', ['fantasy'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmRateLimitedError);
    expect((error as LlmRateLimitedError).retryAfterMs).toBe(7_000);
    expect(s.server.stats().requests).toBe(1);
  });

  it('holds requests over the per-second budget back, but never a cache hit', async () => {
    const s = await server();
    const { instance } = expander(one(s), { budget: new RequestBudget(fx.redis, fx.prefix, 2) });
    const outcomes = await Promise.all(['a', 'b', 'c', 'd'].map((c, i) => instance.expand(user(`u${i}`, [`budget ${c}`])).catch((e: unknown) => e)));
    const held = outcomes.filter((o): o is LlmRateLimitedError => o instanceof LlmRateLimitedError);
    // Four requests in (almost surely) one second: two go, two wait; one second boundary may let a third through.
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(held.every((e) => e.by === 'budget' && e.retryAfterMs > 0 && e.retryAfterMs <= 1000)).toBe(true);
    expect(s.server.stats().requests).toBe(4 - held.length);
    const answered = outcomes.findIndex((o) => !(o instanceof Error));
    const again = await instance.expand(user('later', [`budget ${['a', 'b', 'c', 'd'][answered]}`]));
    expect(again.source).toBe('cache');
  });

  it('splits users between variants deterministically and records each user\'s variant', async () => {
    const [small, large] = [await server(), await server()];
    const variants = { small: { baseUrl: small.server.baseUrl, model: 'llama-3.2-3b' }, large: { baseUrl: large.server.baseUrl, model: 'llama-3.2-3b', promptVersion: 'contextual-v1' } };
    const { instance } = expander(variants);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => instance.expand(user(`user-${i}`, [`topic-${i}`]))));
    const byVariant = new Map<string, number>();
    for (const r of results) byVariant.set(r.variant ?? '', (byVariant.get(r.variant ?? '') ?? 0) + 1);
    expect(byVariant.get('small')).toBeGreaterThan(5);
    expect(byVariant.get('large')).toBeGreaterThan(5);
    expect(small.server.stats().requests).toBe(byVariant.get('small'));
    expect(large.server.stats().requests).toBe(byVariant.get('large'));
    expect(results.filter((r) => r.variant === 'large').every((r) => r.promptVersion === 'contextual-v1')).toBe(true);
  });

  it('runs baseline arms beside a model: the catalog expander alone, or no expansion, each tagged with its variant and experiment', async () => {
    const s = await server();
    const { instance } = expander({ model: { baseUrl: s.server.baseUrl, model: 'llama-3.2-3b' }, catalog: { expander: 'catalog' }, none: { expander: 'seed-only' } });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => instance.expand(user(`arm-user-${i}`, ['fantasy']))));
    const of = (variant: string) => results.filter((r) => r.variant === variant);
    expect(of('catalog').length).toBeGreaterThan(5);
    expect(of('none').length).toBeGreaterThan(5);
    expect(results.every((r) => r.experiment === 'test')).toBe(true);
    for (const r of of('catalog')) expect(r).toMatchObject({ source: 'catalog', expander: fallback.id });
    for (const r of of('catalog')) expect(r.topics.length).toBeGreaterThan(0);
    for (const r of of('none')) expect(r).toEqual({ topics: [], source: 'none', expander: 'seed-only', variant: 'none', experiment: 'test' });
    // Only the model's users reach the server (one request: they share their interests, so it is coalesced).
    expect(of('model').length).toBeGreaterThan(5);
    expect(s.server.stats().requests).toBe(1);
  });

  it('keeps the user\'s variant on "nothing to expand", so the empty expansion counts in that arm', async () => {
    const { instance } = expander({ catalog: { expander: 'catalog' } });
    await expect(instance.expand(user('nobody', []))).rejects.toMatchObject({ name: 'NothingToExpandError', assignment: { experiment: 'test', variant: 'catalog' } });
  });
});
