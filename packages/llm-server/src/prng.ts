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
 * A PRNG (mulberry32) seeded from the parts, returning floats in [0, 1). Each consumer seeds its
 * own stream from (seed, purpose, index) rather than sharing one, so a draw never depends on how
 * many draws other requests made before it or in which order concurrent requests arrived.
 */
export function seededRandom(...parts: readonly (string | number)[]): () => number {
  let state = hashText(parts.join('\u0000'));
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates in place with the given stream. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const item = items[i] as T;
    items[i] = items[j] as T;
    items[j] = item;
  }
  return items;
}
