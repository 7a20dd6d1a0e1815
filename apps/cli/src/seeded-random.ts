/**
 * A small seeded PRNG (mulberry32): the eval's split, random baseline and bootstrap, and the
 * benchmarks' data, must give the same numbers on every machine for the same seed, which
 * Math.random cannot.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
