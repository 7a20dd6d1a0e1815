import { isNoScriptError, runScript, scriptSha, type RedisClient } from '@coldstart/config';
import type { StoreKeys } from './keys.js';

/**
 * The caller's writer token is not the current one: another index process took the catalog over
 * (a paused or partitioned old writer woke up). Retryable: the job goes back to the queue and the
 * current writer applies it.
 */
export class FencedWriterError extends Error {
  override readonly name = 'FencedWriterError';
  constructor(callerToken: string, currentToken: string) {
    super(
      `write-ahead log append refused: this writer's fencing token is ${callerToken === '' ? 'unset' : callerToken} but the current writer's is ${currentToken === '' ? 'unset' : currentToken} (another index process took over)`,
    );
  }
}

/** A vector whose dimension differs from the one its encoder's index was built with. */
export class VectorSpaceMismatchError extends Error {
  override readonly name = 'VectorSpaceMismatchError';
  constructor(encoder: string, expectedDimension: string, actualDimension: string) {
    super(
      `index of encoder "${encoder}" holds ${expectedDimension}-dimensional vectors; refusing a ${actualDimension}-dimensional one (give a changed encoder a new id, so its vectors go to a new index)`,
    );
  }
}

// What every script that writes a log starts with (WriterFence.eval passes the writer token's key
// as the last KEY and the caller's token as the last ARGV). The fencing check is in the same
// script as the write, so no writer can append after it lost the catalog, however long it was
// paused between a check and its write. Once any writer has taken a token, every append must
// carry the current one; without tokens (tests, tools) the check passes only while nobody has
// taken one. The script body may then call:
// - appendEntry(meta, wal, field, value, ...): appends an entry numbered with its index's `seq`
//   (entries ever appended, so distances survive trims) and returns its stream id;
// - heldDimension(meta, dimension): the dimension the index holds when it is another one (an
//   index's first entry fixes it), else nil.
const LOG_SCRIPT_PRELUDE = `
local fence = redis.call('GET', KEYS[#KEYS]) or ''
if fence ~= ARGV[#ARGV] then return {'fenced', fence} end
local function appendEntry(meta, wal, ...)
  local seq = redis.call('HINCRBY', meta, 'appended', 1)
  return redis.call('XADD', wal, '*', 'seq', seq, ...)
end
local function heldDimension(meta, dimension)
  local held = redis.call('HGET', meta, 'dimension')
  if held and held ~= dimension then return held end
end
`;

/** A Lua script that writes an index log: `body` runs after the fencing check (see LOG_SCRIPT_PRELUDE). */
export function fencedLogScript(body: string): string {
  return LOG_SCRIPT_PRELUDE + body;
}

// Takes the catalog over if nobody holds it: the lease (owner, expiring) and a new fencing token
// together, so a token is never issued while another writer's lease is live. KEYS: lease,
// token. ARGV: owner, lease ms. Returns the new token, or false while another owner holds it.
const CLAIM_WRITER = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('INCR', KEYS[2]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return redis.call('GET', KEYS[2])
end
return false
`;

// Extends the lease only while the caller still owns it. KEYS: lease. ARGV: owner, lease ms.
const RENEW_WRITER = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;

const RELEASE_WRITER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The single-writer lease over every index log and the fencing token that goes with it, and the
 * runner of the scripts that write the logs under that token. One lease covers every index: an
 * item delete is appended to all of them in one script, and an index comes into being with its
 * first upsert, so per-index leases would have to be taken together anyway.
 */
export class WriterFence {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<StoreKeys, 'writerLease' | 'writerToken'>,
    /** The fencing token from `claim`; fenced scripts are refused unless it is the current one. */
    readonly token = '',
  ) {}

  /**
   * Runs a fencedLogScript with `keys` and `args` (the fence adds its own key and the token last)
   * and returns its reply; throws FencedWriterError when the script refused this token.
   */
  async eval<Reply extends [string, unknown]>(script: string, keys: string[], args: (string | number)[]): Promise<Reply> {
    const reply = (await runScript(this.redis, script, [...keys, this.keys.writerToken], [...args, this.token])) as Reply;
    if (reply[0] === 'fenced') throw new FencedWriterError(this.token, String(reply[1]));
    return reply;
  }

  /**
   * Runs one fencedLogScript for many calls in one round trip (a pipeline of EVALSHA), in order;
   * each reply as `eval` returns it. Throws FencedWriterError when any call was refused.
   */
  async evalMany<Reply extends [string, unknown]>(script: string, calls: readonly { keys: string[]; args: (string | number)[] }[]): Promise<Reply[]> {
    if (calls.length === 0) return [];
    // By SHA; with the text when the server lacks the script (its first run there, or after a
    // restart). Sending the text loads it on the node that holds the keys, where a SCRIPT LOAD
    // of a cluster client could land on any master.
    const run = async (withText: boolean): Promise<[Error | null, unknown][]> => {
      const pipeline = this.redis.pipeline();
      for (const call of calls) {
        const keys = [...call.keys, this.keys.writerToken];
        const args = [...call.args, this.token];
        if (withText) pipeline.eval(script, keys.length, ...keys, ...args);
        else pipeline.evalsha(scriptSha(script), keys.length, ...keys, ...args);
      }
      return (await pipeline.exec()) ?? [];
    };
    let replies = await run(false);
    // The calls refused with NOSCRIPT did not run: run them again. Only idempotent scripts may
    // be run this way, since a call that did run (before a restart in mid-pipeline) runs twice.
    if (replies.some(([error]) => isNoScriptError(error))) replies = await run(true);
    return replies.map(([error, reply]) => {
      if (error) throw error;
      const typed = reply as Reply;
      if (typed[0] === 'fenced') throw new FencedWriterError(this.token, String(typed[1]));
      return typed;
    });
  }

  /** Takes the lease if no other owner's is live; returns the new token (the same again while `owner` holds it). */
  async claim(owner: string, leaseMs: number): Promise<string | undefined> {
    const token = (await this.redis.eval(CLAIM_WRITER, 2, this.keys.writerLease, this.keys.writerToken, owner, leaseMs)) as string | number | null;
    return token === null ? undefined : String(token);
  }

  /** False when `owner` no longer holds the lease (it lapsed, and perhaps another writer took over). */
  async renew(owner: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW_WRITER, 1, this.keys.writerLease, owner, leaseMs)) === 1;
  }

  async release(owner: string): Promise<void> {
    await this.redis.eval(RELEASE_WRITER, 1, this.keys.writerLease, owner);
  }

  /** Throws FencedWriterError unless this fence's token is the current one. */
  async assertCurrent(): Promise<void> {
    const current = (await this.redis.get(this.keys.writerToken)) ?? '';
    if (current !== this.token) throw new FencedWriterError(this.token, current);
  }
}
