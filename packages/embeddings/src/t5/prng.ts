/**
 * Seeded PRNG for fixture weights. mulberry32: tiny, fast (tens of millions of draws per
 * second, which keeps the ~85M-parameter base fixture to about a second) and identical on
 * every platform, so two processes generating the same fixture write identical bytes.
 */
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

/**
 * Fills `out` with uniform values of mean `mean` and standard deviation `std`
 * (uniform on [-a, a] has std a/√3).
 */
export function fillUniform(out: Float32Array, random: () => number, std: number, mean = 0): Float32Array {
  const a = std * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) out[i] = mean + (random() * 2 - 1) * a;
  return out;
}
