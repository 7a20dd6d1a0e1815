import { createHash, randomUUID } from 'node:crypto';
import { llmRequestGroup, runScript, slotGroup, type RedisClient } from '@coldstart/config';
import { z } from 'zod';
import { sleep } from '@coldstart/runtime';

export interface ExpansionCacheOptions {
  /** How long an answer is reused. Topics for "fantasy" do not change by the hour. */
  ttlSeconds: number;
  /** How long a leader may hold a key before followers assume it died and one of them takes over. */
  leaseMs: number;
  /** How long followers reuse a leader's failure (they take the fallback instead of calling a failing server). */
  failureTtlMs: number;
  pollMs?: number;
}

const CachedTopics = z.object({ topics: z.array(z.string()).min(1).max(5), at: z.string() });
export type CachedTopics = z.infer<typeof CachedTopics>;

/** What a caller does for a key: use the stored answer, call the LLM itself, or take what another process got. */
export type Coalesced =
  | { role: 'cached'; topics: string[] }
  /** `released`: no verdict (rate limited, aborted): the next caller leads, nobody falls back. */
  | { role: 'leader'; settle(outcome: { topics: string[] } | { failed: true } | { released: true }): Promise<void> }
  | { role: 'follower'; outcome: { topics: string[] } | { failed: true } };

// One round trip, atomically: the answer if stored; else the recent failure of a leader; else
// the lease if free (the caller leads); else "wait". Checking the failure before the lease is
// what keeps a burst of new arrivals from each retrying a server that just failed.
const CLAIM = `
local answer = redis.call('GET', KEYS[1])
if answer then return {'answer', answer} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {'failed'} end
if redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2], 'NX') then return {'leader'} end
return {'wait'}`;

// A leader's outcome, in one step: the answer (EX seconds) or the failure (PX ms) stored, or
// neither (released), then the lease deleted only if it is still ours: a leader that outlived
// its lease must not release the lease of the process that took over.
const SETTLE = `
if ARGV[1] == 'topics' then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
elseif ARGV[1] == 'failed' then redis.call('SET', KEYS[2], '1', 'PX', ARGV[3]) end
if redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('DEL', KEYS[3]) end
return 1`;

/**
 * LLM answers in Redis, keyed by (model, prompt version, normalised input), with in-flight
 * coalescing across processes: the first process to miss takes a lease (SET NX PX) and calls
 * the LLM; the others poll for its answer. A leader's failure is recorded briefly so its
 * followers fall back at once instead of each trying the failing server; a leader that dies
 * loses its lease after `leaseMs` and a follower takes over.
 */
export class ExpansionCache {
  private readonly pollMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly options: ExpansionCacheOptions,
  ) {
    this.pollMs = options.pollMs ?? 25;
  }

  /** The key's identity: a change of model or prompt version never reuses an old answer. */
  static keyOf(model: string, promptVersion: string, cacheInput: string): string {
    return createHash('sha256').update(`${model}\u0000${promptVersion}\u0000${cacheInput}`).digest('hex').slice(0, 40);
  }

  /** One request's keys share a slot (a claim reads all three); on a cluster each request's slot is its own, so the cache spreads over every shard. */
  private keys(key: string) {
    const base = `${slotGroup(this.prefix, llmRequestGroup(key))}:llm:expansion:${key}`;
    return { answer: base, lease: `${base}:lease`, failed: `${base}:failed` };
  }

  async get(key: string): Promise<CachedTopics | undefined> {
    return this.decode(await this.redis.get(this.keys(key).answer));
  }

  private decode(raw: string | null | undefined): CachedTopics | undefined {
    if (!raw) return undefined;
    try {
      const parsed = CachedTopics.safeParse(JSON.parse(raw));
      // An entry written by an incompatible version is a miss, not an error.
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The stored answer; or the lead (the caller asks the LLM and settles the outcome); or, while
   * another process leads, its outcome once it settles. A leader that dies loses its lease after
   * `leaseMs` and the next waiter leads. `signal` ends the wait.
   */
  async coalesce(key: string, signal?: AbortSignal): Promise<Coalesced> {
    const keys = this.keys(key);
    const token = randomUUID();
    for (let waited = false; ; waited = true) {
      signal?.throwIfAborted();
      const [claim, raw] = (await runScript(this.redis, CLAIM, [keys.answer, keys.lease, keys.failed], [token, this.options.leaseMs])) as [string, string?];
      if (claim === 'answer') {
        const cached = this.decode(raw);
        if (cached) return waited ? { role: 'follower', outcome: { topics: cached.topics } } : { role: 'cached', topics: cached.topics };
        // Unreadable entry: overwrite it by leading.
        await this.redis.del(keys.answer);
        continue;
      }
      if (claim === 'failed') return { role: 'follower', outcome: { failed: true } };
      if (claim === 'leader') {
        return {
          role: 'leader',
          settle: async (outcome) => {
            const [kind, value, ttl] =
              'topics' in outcome
                ? ['topics', JSON.stringify({ topics: outcome.topics, at: new Date().toISOString() }), this.options.ttlSeconds]
                : 'failed' in outcome
                  ? ['failed', '', this.options.failureTtlMs]
                  : ['released', '', 0];
            await runScript(this.redis, SETTLE, [keys.answer, keys.failed, keys.lease], [kind, value, ttl, token]);
          },
        };
      }
      await sleep(this.pollMs);
    }
  }
}
