import { mulberry32 } from '@coldstart/embeddings';

/**
 * A small seeded PRNG (mulberry32, shared with the T5 fixture generator): the eval's split,
 * random baseline and bootstrap, and the benchmarks' data, must give the same numbers on every
 * machine for the same seed, which Math.random cannot.
 */
export const seededRandom = (seed: number): (() => number) => mulberry32(seed);

/** A value in [0, 1) fixed by (seed, key): membership of one id in a split never depends on the others. */
export function hashUnit(seed: number, key: number): number {
  return seededRandom((Math.imul(key, 0x9e3779b1) ^ Math.imul(seed, 0x85ebca6b)) >>> 0)();
}

/** Fisher–Yates with the given generator; returns a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
