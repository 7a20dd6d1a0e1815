/**
 * Maximal marginal relevance: picks, one at a time, the candidate maximising
 * λ·relevance − (1−λ)·(its highest similarity to an item already picked). Relevance is the
 * score rescaled to [0, 1] over the candidates so that λ means the same whatever the score
 * scale. λ = 1 (or no similarity) keeps the score order.
 */
export function mmrRerank<T extends { itemId: string; score: number }>(
  candidates: readonly T[],
  topN: number,
  lambda: number,
  similarity?: (a: string, b: string) => number | undefined,
): T[] {
  if (lambda >= 1 || !similarity) return candidates.slice(0, topN);
  const scores = candidates.map((c) => c.score);
  const max = Math.max(...scores);
  const min = Math.min(...scores);
  const span = max - min || 1;
  const remaining = [...candidates];
  /** The highest similarity of each remaining candidate to the picked ones. */
  const redundancy = remaining.map(() => -Infinity);
  const picked: T[] = [];
  while (picked.length < topN && remaining.length > 0) {
    let bestIndex = 0;
    let bestValue = -Infinity;
    remaining.forEach((candidate, i) => {
      const penalty = picked.length === 0 ? 0 : (redundancy[i] ?? 0);
      const value = lambda * ((candidate.score - min) / span) - (1 - lambda) * penalty;
      if (value > bestValue) {
        bestValue = value;
        bestIndex = i;
      }
    });
    const [chosen] = remaining.splice(bestIndex, 1);
    redundancy.splice(bestIndex, 1);
    if (!chosen) break;
    picked.push(chosen);
    remaining.forEach((candidate, i) => {
      redundancy[i] = Math.max(redundancy[i] ?? -Infinity, similarity(candidate.itemId, chosen.itemId) ?? 0);
    });
  }
  return picked;
}
