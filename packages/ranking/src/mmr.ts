import type { Similarity } from './types.js';
import { unitCosine } from './unit-cosine.js';

/** Similarities are cosines of unit vectors, so none is below this; the pruning bound relies on it. */
const LOWEST_SIMILARITY = -1;

/**
 * Maximal marginal relevance: picks, one at a time, the candidate maximising
 * λ·relevance − (1−λ)·(its highest similarity to an item already picked). Relevance is the
 * score rescaled to [0, 1] over the candidates so that λ means the same whatever the score
 * scale. λ = 1 (or no similarity) keeps the score order. Ties go to the earlier candidate.
 *
 * Lazy but exact: a candidate's redundancy only grows as picks are added, so a value computed
 * against fewer picks (or the bound with similarity −1 for the picks not yet compared) is an
 * upper bound, and a candidate whose bound cannot beat the best value so far is not compared
 * again this round. The eager version compared every candidate with every pick; in the
 * recommend pool (about a thousand candidates, 20 picks) that was a third of its CPU.
 */
export function mmrRerank<T extends { itemId: string; score: number }>(
  candidates: readonly T[],
  topN: number,
  lambda: number,
  similarity?: Similarity,
): T[] {
  if (lambda >= 1 || !similarity) return candidates.slice(0, topN);
  const count = candidates.length;
  const alike = similarityByPosition(candidates, similarity);
  let max = -Infinity;
  let min = Infinity;
  for (const c of candidates) {
    max = Math.max(max, c.score);
    min = Math.min(min, c.score);
  }
  const span = max - min || 1;
  const relevance = candidates.map((c) => lambda * ((c.score - min) / span));
  /** The best relevance term from each position on: once even that cannot win, the round ends. */
  const relevanceFrom = new Float64Array(count + 1).fill(-Infinity);
  for (let i = count - 1; i >= 0; i--) relevanceFrom[i] = Math.max(relevanceFrom[i + 1] as number, relevance[i] as number);
  /** Each candidate's highest similarity to the first `compared[i]` picks. */
  const redundancy = new Float64Array(count).fill(-Infinity);
  const compared = new Uint32Array(count);
  const taken = new Uint8Array(count);
  const picked: T[] = [];
  /** Each pick's position among the candidates. */
  const pickedAt: number[] = [];
  const penaltyWeight = 1 - lambda;
  while (picked.length < Math.min(topN, count)) {
    let bestIndex = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < count; i++) {
      if (picked.length > 0 && relevanceFrom[i]! - penaltyWeight * LOWEST_SIMILARITY <= bestValue) break;
      if (taken[i]) continue;
      let value = relevance[i]!;
      if (picked.length > 0) {
        const known = compared[i]! < picked.length ? Math.max(redundancy[i]!, LOWEST_SIMILARITY) : redundancy[i]!;
        // Not even the bound beats the best: the exact value would not either (ties keep the earlier).
        if (value - penaltyWeight * known <= bestValue) continue;
        for (let p = compared[i]!; p < picked.length; p++) {
          redundancy[i] = Math.max(redundancy[i]!, alike(i, pickedAt[p]!) ?? 0);
        }
        compared[i] = picked.length;
        value -= penaltyWeight * redundancy[i]!;
      }
      if (value > bestValue) {
        bestValue = value;
        bestIndex = i;
      }
    }
    if (bestIndex < 0) break;
    taken[bestIndex] = 1;
    picked.push(candidates[bestIndex]!);
    pickedAt.push(bestIndex);
  }
  return picked;
}

/** The similarity of the candidates at two positions; unit vectors are looked up once each, on first use. */
function similarityByPosition(candidates: readonly { itemId: string }[], similarity: Similarity): (i: number, j: number) => number | undefined {
  if (typeof similarity === 'function') return (i, j) => similarity(candidates[i]!.itemId, candidates[j]!.itemId);
  const vectors: (Float32Array | null | undefined)[] = new Array(candidates.length);
  const vectorAt = (i: number) => {
    let vector = vectors[i];
    if (vector === undefined) vectors[i] = vector = similarity.unitVector(candidates[i]!.itemId) ?? null;
    return vector ?? undefined;
  };
  return (i, j) => unitCosine(vectorAt(i), vectorAt(j));
}
