import { runScript, SLOT_GROUPS, slotGroup, type RedisClient } from '@coldstart/config';

// One counter per variant per second, shared by every expand process; it outlives its second
// a little so a slow clock on one process still finds it.
const TAKE = `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], 2000) end return n`;

/**
 * LLM requests per second across all expand processes (LLM_RATE_LIMIT_PER_SEC), so the model
 * server is never flooded however many pods scale out. Only requests draw on it: cache hits and
 * coalesced waits flow freely. A request over budget is not sent; its job alone is delayed until
 * the next second and runs again.
 */
export class RequestBudget {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 if a request to `variant` may go now; otherwise the milliseconds until the next second. */
  async take(variant: string): Promise<number> {
    const now = this.now();
    const second = Math.floor(now / 1000);
    // Its own slot on a cluster (one key per call), so the budget adds no load to the deployment's data shard.
    const taken = Number(await runScript(this.redis, TAKE, [`${slotGroup(this.prefix, SLOT_GROUPS.llmBudget)}:llm:budget:${variant}:${second}`]));
    return taken <= this.perSecond ? 0 : 1000 - (now % 1000);
  }
}
