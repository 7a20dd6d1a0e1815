import type { RedisClient } from '@coldstart/config';
import { BehaviourLog } from '@coldstart/behaviour';

export interface BehaviourCheck {
  /** Likes the events carry: positive signup seeds and interactions, each (user, item) once. */
  expectedLikes: number;
  /** Like entries in the behaviour log. */
  logged: number;
  /** Expected (user, item) likes the log does not hold. */
  lost: number;
  /** (user, item) likes the log holds more than once: a redelivered or retried interaction counted twice. */
  doubled: number;
}

/** Likes in the behaviour log against the events sent: each expected (user, item) exactly once. */
export async function checkBehaviour(redis: RedisClient, prefix: string, expected: readonly { userId: string; itemId: string }[]): Promise<BehaviourCheck> {
  const log = new BehaviourLog(redis, prefix);
  const counts = new Map<string, number>();
  let logged = 0;
  for (let after = '0'; ; ) {
    const entries = await log.read(after, 5_000);
    if (entries.length === 0) break;
    for (const { entry } of entries) {
      if (entry.kind !== 'like') continue;
      logged++;
      const key = `${entry.userId}\n${entry.itemId}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    after = entries[entries.length - 1]?.id ?? after;
  }
  const lost = expected.filter(({ userId, itemId }) => !counts.has(`${userId}\n${itemId}`)).length;
  const doubled = [...counts.values()].filter((n) => n > 1).length;
  return { expectedLikes: expected.length, logged, lost, doubled };
}
