import { describe, expect, it } from 'vitest';
import { RedisEnv } from './common-env.js';
import { parseEnv } from './parse-env.js';
import { deploymentPrefix, parseRedisUrl, slotGroup } from './redis.js';

describe('REDIS_URL: one server or a cluster', () => {
  it('reads a cluster URL: every node, TLS from the scheme, credentials decoded', () => {
    expect(parseRedisUrl('redis-cluster://10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      cluster: true,
      tls: false,
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
    expect(parseRedisUrl('rediss-cluster://app:p%40ss@clustercfg.x.cache.amazonaws.com:6379')).toEqual({
      cluster: true,
      tls: true,
      nodes: [{ host: 'clustercfg.x.cache.amazonaws.com', port: 6379 }],
      username: 'app',
      password: 'p@ss',
    });
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({ cluster: false, url: 'redis://127.0.0.1:6379/2' });
  });

  it('refuses what names no server, saying what a cluster URL looks like', () => {
    expect(() => parseRedisUrl('redis-cluster://')).toThrow(/redis-cluster:\/\/host:port,host:port/);
    expect(() => parseRedisUrl('redis-cluster://a:1,b')).toThrow(/cluster node "b" must be host:port/);
    expect(() => parseRedisUrl('redis-cluster://a:70000')).toThrow(/must be host:port/);
    expect(() => parseRedisUrl('memcached://a:1')).toThrow(/redis-cluster/);
  });

  it('on a cluster the deployment prefix becomes a hash tag, and slot groups are tags of their own', () => {
    expect(deploymentPrefix('redis-cluster://a:1', 'coldstart')).toBe('{coldstart}');
    expect(deploymentPrefix('redis-cluster://a:1', '{coldstart}')).toBe('{coldstart}');
    expect(deploymentPrefix('redis://a:1', 'coldstart')).toBe('coldstart');
    expect(slotGroup('{coldstart}', 'bull')).toBe('{coldstart:bull}');
    // One server: key names do not change.
    expect(slotGroup('coldstart', 'bull')).toBe('coldstart');
  });

  it('parseEnv gives every app the tagged prefix when REDIS_URL names a cluster', () => {
    expect(parseEnv(RedisEnv, { REDIS_URL: 'redis-cluster://127.0.0.1:7001' }).COLDSTART_PREFIX).toBe('{coldstart}');
    expect(parseEnv(RedisEnv, { REDIS_URL: 'redis-cluster://127.0.0.1:7001', COLDSTART_PREFIX: 'prod' }).COLDSTART_PREFIX).toBe('{prod}');
    expect(parseEnv(RedisEnv, {}).COLDSTART_PREFIX).toBe('coldstart');
    expect(() => parseEnv(RedisEnv, { REDIS_URL: 'redis-cluster://x' })).toThrow(/REDIS_URL="redis-cluster:\/\/x": .*host:port/);
  });
});
