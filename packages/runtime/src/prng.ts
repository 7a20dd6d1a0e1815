/**
 * Seeded randomness for everything that must give the same numbers on every machine for the
 * same seed (eval splits and bootstraps, benchmark data, the test LLM's answers and faults, the
 * T5 fixtures' weights), which Math.random cannot. Fixtures and published figures depend on
 * these exact sequences: changing an algorithm here changes them.
 */

/** mulberry32: tiny, fast (tens of millions of draws per second) and identical on every platform; floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the UTF-16 code units of the text: a stable 32-bit hash, the same on every platform. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A mulberry32 stream seeded from the parts (e.g. seed, purpose, index). Each consumer seeds its
 * own stream rather than sharing one, so a draw never depends on how many draws others made
 * before it or in which order concurrent requests arrived.
 */
export function seededRandom(...parts: readonly (string | number)[]): () => number {
  return mulberry32(hashText(parts.join('\u0000')));
}

/** Fisher–Yates in place with the given stream; returns `items`. Shuffle a copy to keep the original. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const item = items[i] as T;
    items[i] = items[j] as T;
    items[j] = item;
  }
  return items;
}
