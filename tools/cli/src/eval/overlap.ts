export interface OverlapMatrix {
  labels: string[];
  /** Mean over users of |A ∩ B| / K. */
  matrix: number[][];
  /** Mean over users of |A ∩ B| / |A ∪ B|. */
  jaccard: number[][];
}

/**
 * How alike every pair of systems' top-K lists are, user by user (the published reference
 * judged model combinations by this alone). The seed (when the signup named one) is never part of a list.
 */
export function overlapMatrix(lists: readonly { label: string; byUser: ReadonlyMap<number, readonly string[]> }[], users: readonly { userId: number; seedItem?: string }[], k: number): OverlapMatrix {
  const round = (x: number) => Number(x.toFixed(4));
  const matrix: number[][] = [];
  const jaccard: number[][] = [];
  for (const a of lists) {
    const overlapRow: number[] = [];
    const jaccardRow: number[] = [];
    for (const b of lists) {
      let overlapSum = 0;
      let jaccardSum = 0;
      for (const { userId, seedItem } of users) {
        const listA = new Set((a.byUser.get(userId) ?? []).filter((id) => id !== seedItem));
        const listB = (b.byUser.get(userId) ?? []).filter((id) => id !== seedItem);
        const shared = listB.filter((id) => listA.has(id)).length;
        const union = listA.size + listB.length - shared;
        overlapSum += shared / k;
        jaccardSum += union === 0 ? 1 : shared / union;
      }
      overlapRow.push(round(users.length ? overlapSum / users.length : 0));
      jaccardRow.push(round(users.length ? jaccardSum / users.length : 0));
    }
    matrix.push(overlapRow);
    jaccard.push(jaccardRow);
  }
  return { labels: lists.map((l) => l.label), matrix, jaccard };
}
