import { CandidateSlots } from './candidate-slots.js';
import type { RankInput, Reason } from './types.js';

export interface FusedCandidate {
  itemId: string;
  score: number;
  reason: Reason;
}

/**
 * Weighted score fusion of every neighbour list plus the popularity prior. An item absent from
 * a content list is credited with that list's last similarity, an upper bound on its true one:
 * taking 0 instead would turn each list's cut-off into a cliff and reward items merely for being
 * found by many lists. An item absent from a co-occurrence or category list is credited 0: those
 * lists hold every item with a score worth having (nobody co-liked the rest). Topic weights decay with the topic's rank and the topic part is a weighted
 * mean, so adding topics never outweighs the seed (adding genre centroids to the seed's
 * vector drowned it: NDCG@10 on goodbooks fold c fell from 0.115 to 0.08 in an independent
 * check). The reason is the list whose weighted similarity contributed most among those that
 * really found the item.
 */
export function fuseScores(
  input: Pick<RankInput, 'topicHits' | 'seedHits' | 'alsoLikedHits' | 'placedHits' | 'categoryHits' | 'popularHits' | 'popularity' | 'unknownPopularity' | 'weights' | 'exclude'>,
): FusedCandidate[] {
  const { weights } = input;
  const topicNorm = input.topicHits.reduce((sum, _, i) => sum + weights.topicDecay ** i, 0);
  const seedNorm = input.seedHits.length;
  const alsoLiked = input.alsoLikedHits ?? [];
  const placed = input.placedHits ?? [];
  const categories = input.categoryHits ?? [];
  const lists: ListSpec[] = [
    ...input.topicHits.map((t, i) => spec('topic', t.topic, topicNorm > 0 ? (weights.topic * weights.topicDecay ** i) / topicNorm : 0, t.hits)),
    ...input.seedHits.map((s) => spec('seed', s.seedItemId, seedNorm > 0 ? weights.seed / seedNorm : 0, s.hits)),
    ...alsoLiked.map((s) => spec('also-liked', s.seedItemId, weights.alsoLiked / alsoLiked.length, s.hits, 0)),
    ...placed.map((s) => spec('also-liked', s.seedItemId, weights.placement / placed.length, s.hits, 0)),
    ...categories.map((c) => spec('popular-in', c.category, weights.category / categories.length, c.hits, 0)),
    // Last, so it is the reason only for an item no other signal found; its score is the prior's.
    ...(input.popularHits ? [spec('popular', '', 0, input.popularHits, 0)] : []),
  ];

  // Each candidate gets a number on first sight (lists in order, hits in order: the order a
  // sort tie keeps), and its similarity in each list a cell of one table (NaN: the list missed
  // it), so scoring reads the table instead of one Map per list per candidate: that lookup was
  // most of the recommend pool's fusion time.
  const width = lists.length;
  const call = slots.startCall();
  const ids: string[] = [];
  const table = similarityTable(lists.reduce((sum, list) => sum + list.hits.length, 0) * width);
  lists.forEach((list, l) => {
    for (const hit of list.hits) {
      if (input.exclude?.has(hit.id)) continue;
      const slot = slots.slotOf(hit.id);
      let candidate = slots.candidateAt(slot, call);
      if (candidate < 0) {
        candidate = ids.length;
        slots.setCandidate(slot, call, candidate);
        ids.push(hit.id);
        table.fill(Number.NaN, candidate * width, (candidate + 1) * width);
      }
      // A list that holds an item twice counts its first similarity.
      const cell = candidate * width + l;
      if (Number.isNaN(table[cell] as number)) table[cell] = hit.score;
    }
  });

  const fused: FusedCandidate[] = [];
  ids.forEach((itemId, candidate) => {
    let score = 0;
    let best = -1;
    let bestContribution = 0;
    for (let l = 0; l < width; l++) {
      const list = lists[l] as ListSpec;
      const found = table[candidate * width + l] as number;
      if (Number.isNaN(found)) {
        score += list.weight * list.floor;
        continue;
      }
      score += list.weight * found;
      const contribution = list.weight * found;
      if (best < 0 || (list.kind !== 'popular' && contribution > bestContribution)) {
        best = l;
        bestContribution = contribution;
      }
    }
    const prior = input.popularity?.(itemId) ?? input.unknownPopularity ?? 0;
    score += weights.popularity * prior;
    // Every candidate was found by at least one list, so `best` is always set.
    const reasonList = lists[best];
    if (reasonList) fused.push({ itemId, score, reason: { kind: reasonList.kind, source: reasonList.source, similarity: table[candidate * width + best] as number } });
  });
  // Comparisons, not a difference: a comparator's non-integer result is boxed, one heap number per
  // comparison (a tenth of the recommend pool's allocations). NaN scores compare by id, as before.
  return fused.sort((a, b) => (a.score > b.score ? -1 : a.score < b.score ? 1 : a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
}

interface ListSpec {
  kind: Reason['kind'];
  source: string;
  weight: number;
  hits: readonly { id: string; score: number }[];
  /** What an item the list missed is credited with (see fuseScores). */
  floor: number;
}

/** A list's part in the fusion; `floor` fixed, or (content lists) its lowest similarity. */
function spec(kind: Reason['kind'], source: string, weight: number, hits: readonly { id: string; score: number }[], floor?: number): ListSpec {
  let lowest = Infinity;
  for (const hit of hits) lowest = Math.min(lowest, hit.score);
  return { kind, source, weight, hits, floor: floor ?? (Number.isFinite(lowest) ? lowest : 0) };
}

const slots = new CandidateSlots();

/** One table reused by every call (fusion is synchronous), grown when a call needs more cells. */
let cells = new Float64Array(0);
function similarityTable(size: number): Float64Array {
  if (cells.length < size) cells = new Float64Array(Math.max(size, cells.length * 2));
  return cells;
}
