/** Accuracy of one user's top-K against the books they went on to like. */
export interface UserScores {
  recall: number;
  ndcg: number;
  hit: number;
}

/** Binary-relevance Recall@K, NDCG@K and HitRate@K; `list` is already cut to K and holds no seed. */
export function scoreList(list: readonly number[], relevant: ReadonlySet<number>, k: number): UserScores {
  let hits = 0;
  let dcg = 0;
  list.slice(0, k).forEach((itemId, rank) => {
    if (!relevant.has(itemId)) return;
    hits += 1;
    dcg += 1 / Math.log2(rank + 2);
  });
  let ideal = 0;
  for (let rank = 0; rank < Math.min(k, relevant.size); rank++) ideal += 1 / Math.log2(rank + 2);
  return { recall: relevant.size > 0 ? hits / relevant.size : 0, ndcg: ideal > 0 ? dcg / ideal : 0, hit: hits > 0 ? 1 : 0 };
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/**
 * 95 % percentile bootstrap interval of the mean over users: resample the users with
 * replacement, take each resample's mean, report the 2.5th and 97.5th percentiles.
 */
export function bootstrapCi(values: readonly number[], random: () => number, resamples = 1000): [number, number] {
  const n = values.length;
  if (n === 0) return [0, 0];
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)] as number;
    means[b] = sum / n;
  }
  means.sort();
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] as number;
  return [at(0.025), at(0.975)];
}

/**
 * Intra-list diversity: the mean over pairs of 1 − Jaccard of the two books' genres. Genres
 * rather than an encoder's vectors so no system is judged by its own similarity measure.
 */
export function intraListDiversity(list: readonly string[], genresOf: (itemId: string) => readonly string[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < list.length; i++) {
    const a = new Set(genresOf(list[i] as string));
    for (let j = i + 1; j < list.length; j++) {
      const b = genresOf(list[j] as string);
      const shared = b.filter((g) => a.has(g)).length;
      const union = a.size + b.length - shared;
      sum += union === 0 ? 0 : 1 - shared / union;
      pairs += 1;
    }
  }
  return pairs === 0 ? 0 : sum / pairs;
}

/** Mean self-information −log2 p(item) of the list, p from training popularity (add-one smoothed). */
export function novelty(list: readonly string[], popularity: ReadonlyMap<string, number>, trainingUsers: number): number {
  return mean(list.map((id) => -Math.log2(((popularity.get(id) ?? 0) + 1) / (trainingUsers + 1))));
}
