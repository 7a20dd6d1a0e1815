import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { RedisEmbeddingCache } from './index.js';

describe('RedisEmbeddingCache', () => {
  let fx: RedisFixture;
  beforeEach(async () => {
    fx = await createRedisFixture();
  });
  afterEach(() => fx.cleanup());

  it('keeps vectors per encoder and text, with an expiry', async () => {
    const cache = new RedisEmbeddingCache(fx.redis, fx.prefix, 60);
    await cache.setMany('enc-a', [['space opera', 'AAAA'], ['history', 'BBBB']]);
    expect(await cache.getMany('enc-a', ['history', 'unknown', 'space opera'])).toEqual(['BBBB', undefined, 'AAAA']);
    expect(await cache.getMany('enc-b', ['history'])).toEqual([undefined]);
    const [key] = await fx.redis.keys(`${fx.prefix}:embedding:enc-a:*`);
    expect(await fx.redis.ttl(key!)).toBeGreaterThan(50);
  });
});
