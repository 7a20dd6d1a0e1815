import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `round` at once and then `intervalMs` after each round ends, until `stop()` (which waits
 * for the round in flight) or until a round returns 'stop'. The index writer's periodic work
 * (its snapshots, its inactive-user sweep) and the recommend pool's tailing of the behaviour
 * log run this way; the wait never keeps the process alive.
 */
export function repeatEvery(intervalMs: number, round: () => Promise<void | 'stop'>): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      if ((await round()) === 'stop') return;
      await sleep(intervalMs, undefined, { signal: stopping.signal, ref: false }).catch(() => undefined);
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}
