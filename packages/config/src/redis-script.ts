import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.js';

const shas = new Map<string, string>();

/** The SHA1 Redis names `script` by in its script cache. */
export function scriptSha(script: string): string {
  let sha = shas.get(script);
  if (sha === undefined) shas.set(script, (sha = createHash('sha1').update(script).digest('hex')));
  return sha;
}

/** Redis refused an EVALSHA because it does not have the script: nothing ran, so sending the text is safe. */
export function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs a Lua script by its SHA (EVALSHA), sending its text (EVAL) only when the server does not
 * have it yet: after a restart, on a cluster node it has not run on, or the first time. EVAL
 * with the text on every call writes the whole script to the socket and has Redis hash it
 * again, each time. A refused EVALSHA runs nothing, so the retry with EVAL runs the script once.
 */
export async function runScript(redis: RedisClient, script: string, keys: readonly string[], args: readonly (string | number)[] = []): Promise<unknown> {
  try {
    return await redis.evalsha(scriptSha(script), keys.length, ...keys, ...args);
  } catch (error) {
    if (!isNoScriptError(error)) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}
