import type { SearchHit } from '@coldstart/vector-index';

export interface Candidate {
  itemId: string;
  score: number;
  /** The topic that brought the item. */
  reason: string;
}

/**
 * Merges per-topic neighbour lists by taking each topic's next-best item in turn (topics in
 * the expander's order). Raw similarities are not comparable across topics: a broad topic
 * that matches the catalog's dominant genre would otherwise fill the whole list, so the user
 * would see one interest instead of the 3-5 the expansion found. Each item keeps the topic
 * that brought it and its similarity to that topic.
 */
export function mergeNeighbours(perTopic: readonly { topic: string; hits: readonly SearchHit[] }[], limit: number): Candidate[] {
  const merged: Candidate[] = [];
  const taken = new Set<string>();
  const longest = Math.max(0, ...perTopic.map((t) => t.hits.length));
  for (let rank = 0; rank < longest && merged.length < limit; rank += 1) {
    for (const { topic, hits } of perTopic) {
      const hit = hits[rank];
      if (!hit || taken.has(hit.id)) continue;
      taken.add(hit.id);
      merged.push({ itemId: hit.id, score: hit.score, reason: topic });
      if (merged.length === limit) break;
    }
  }
  return merged;
}
