import type { Cluster, Redis } from 'ioredis';

/** A connection to one Redis or to a Redis Cluster: every store and pool takes either. */
export type RedisClient = Redis | Cluster;

/**
 * Where REDIS_URL points. `redis://` and `rediss://` (TLS) name one server, as ioredis reads
 * them; `redis-cluster://[user:password@]host:port[,host:port…]` and `rediss-cluster://…` name a
 * Redis Cluster by one or more of its nodes (ElastiCache in cluster mode: its configuration
 * endpoint), from which the client discovers the rest.
 */
export type RedisTarget =
  | { cluster: false; url: string }
  | { cluster: true; tls: boolean; nodes: { host: string; port: number }[]; username?: string; password?: string };

const CLUSTER_URL = /^(rediss?)-cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#@]+)\/?$/;
const NODE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function isClusterUrl(url: string): boolean {
  return /^rediss?-cluster:/.test(url);
}

/** The target a REDIS_URL names; throws a message fit for an operator when it names none. */
export function parseRedisUrl(url: string): RedisTarget {
  if (!isClusterUrl(url)) {
    if (!URL.canParse(url) || !['redis:', 'rediss:'].includes(new URL(url).protocol)) throw new Error('must be a redis://, rediss://, redis-cluster:// or rediss-cluster:// URL');
    return { cluster: false, url };
  }
  const match = CLUSTER_URL.exec(url);
  if (!match) throw new Error('a cluster URL looks like redis-cluster://host:port,host:port (credentials as user:password@ before the first node)');
  const nodes = match[4]!.split(',').map((node) => {
    const parsed = NODE.exec(node.trim());
    const port = parsed ? Number(parsed[2]) : 0;
    if (!parsed || port < 1 || port > 65_535) throw new Error(`cluster node "${node}" must be host:port`);
    return { host: parsed[1]!.replace(/^\[|\]$/g, ''), port };
  });
  return {
    cluster: true,
    tls: match[1] === 'rediss',
    nodes,
    ...(match[2] ? { username: decodeURIComponent(match[2]) } : {}),
    ...(match[3] !== undefined ? { password: decodeURIComponent(match[3]) } : {}),
  };
}

/**
 * The key prefix a deployment uses on its Redis. On a cluster it is a hash tag (`coldstart` →
 * `{coldstart}`): every key under it hashes to one slot, so the scripts that touch a user's list,
 * the items in it and the index logs in one atomic step keep working. Groups of keys that no
 * script or transaction joins to the rest get tags of their own (`slotGroup`) and spread over
 * the cluster's other shards. On one server the prefix is used as given.
 */
export function deploymentPrefix(redisUrl: string, prefix: string): string {
  return isClusterUrl(redisUrl) && !/^\{.+\}$/.test(prefix) ? `{${prefix}}` : prefix;
}

/**
 * The groups of keys with slots of their own on a cluster (operations.md#redis-cluster), named
 * once: the stores build their keys from these, and `bench pipeline` reports where each landed.
 * Each LLM request's cache keys form a group of their own too (`llmRequestGroup`).
 */
export const SLOT_GROUPS = { queues: 'bull', experiments: 'experiments', embeddings: 'embeddings', llmBudget: 'llm-budget' } as const;

/** The slot group of one LLM request's cache keys: on a cluster the cache spreads over every shard. */
export const llmRequestGroup = (key: string) => `llm:${key}`;

/** The connection options every node of a cluster target needs: its credentials and TLS. */
export function clusterNodeOptions(target: Extract<RedisTarget, { cluster: true }>): { username?: string; password?: string; tls?: object } {
  return {
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
  };
}

/**
 * The prefix of a group of keys that may live in a slot of its own: on a cluster `{coldstart}` →
 * `{coldstart:<group>}` (another hash tag, so another slot and usually another shard); on one
 * server the deployment's prefix unchanged, so key names there do not depend on this.
 */
export function slotGroup(prefix: string, group: string): string {
  const tag = /^\{(.+)\}$/.exec(prefix);
  return tag ? `{${tag[1]}:${group}}` : prefix;
}
