import { describe, expect, it } from 'vitest';
import { fuseScores, type FusedCandidate } from './fuse-scores.js';
import type { RankInput, Reason } from './types.js';

type FusionInput = Parameters<typeof fuseScores>[0];

// The fusion as first written, one Map per list: the oracle the table-based fuseScores must
// match exactly (same scores, to the last bit, same order, same reasons).
interface ListView {
  kind: Reason['kind'];
  source: string;
  weight: number;
  similarities: Map<string, number>;
  floor: number;
}

function mapFusion(
  input: Pick<RankInput, 'topicHits' | 'seedHits' | 'alsoLikedHits' | 'placedHits' | 'categoryHits' | 'popularHits' | 'popularity' | 'unknownPopularity' | 'weights' | 'exclude'>,
): FusedCandidate[] {
  const { weights } = input;
  const topicNorm = input.topicHits.reduce((sum, _, i) => sum + weights.topicDecay ** i, 0);
  const seedNorm = input.seedHits.length;
  const alsoLiked = input.alsoLikedHits ?? [];
  const placed = input.placedHits ?? [];
  const categories = input.categoryHits ?? [];
  const lists: ListView[] = [
    ...input.topicHits.map((t, i) => view('topic', t.topic, topicNorm > 0 ? (weights.topic * weights.topicDecay ** i) / topicNorm : 0, t.hits)),
    ...input.seedHits.map((s) => view('seed', s.seedItemId, seedNorm > 0 ? weights.seed / seedNorm : 0, s.hits)),
    ...alsoLiked.map((s) => view('also-liked', s.seedItemId, weights.alsoLiked / alsoLiked.length, s.hits, 0)),
    ...placed.map((s) => view('also-liked', s.seedItemId, weights.placement / placed.length, s.hits, 0)),
    ...categories.map((c) => view('popular-in', c.category, weights.category / categories.length, c.hits, 0)),
    // Last, so it is the reason only for an item no other signal found; its score is the prior's.
    ...(input.popularHits ? [view('popular', '', 0, input.popularHits, 0)] : []),
  ];
  const candidates = new Set<string>();
  for (const list of lists) for (const id of list.similarities.keys()) if (!input.exclude?.has(id)) candidates.add(id);

  const fused: FusedCandidate[] = [];
  for (const itemId of candidates) {
    let score = 0;
    let best: { contribution: number; reason: Reason } | undefined;
    for (const list of lists) {
      const found = list.similarities.get(itemId);
      score += list.weight * (found ?? list.floor);
      if (found === undefined) continue;
      const contribution = list.weight * found;
      if (!best || (list.kind !== 'popular' && contribution > best.contribution)) {
        best = { contribution, reason: { kind: list.kind, source: list.source, similarity: found } };
      }
    }
    const prior = input.popularity?.(itemId) ?? input.unknownPopularity ?? 0;
    score += weights.popularity * prior;
    // Every candidate was found by at least one list, so `best` is always set.
    if (best) fused.push({ itemId, score, reason: best.reason });
  }
  return fused.sort((a, b) => b.score - a.score || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
}

/** A list's view; `floor` fixed, or (content lists) its lowest similarity. */
function view(kind: Reason['kind'], source: string, weight: number, hits: readonly { id: string; score: number }[], floor?: number): ListView {
  const similarities = new Map<string, number>();
  let lowest = Infinity;
  for (const hit of hits) {
    if (!similarities.has(hit.id)) similarities.set(hit.id, hit.score);
    lowest = Math.min(lowest, hit.score);
  }
  return { kind, source, weight, similarities, floor: floor ?? (Number.isFinite(lowest) ? lowest : 0) };
}

/** A small seeded generator (the ranking package depends on nothing). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomInput(random: () => number): FusionInput {
  const pool = Array.from({ length: 60 }, (_, i) => `item-${i}`);
  const pick = () => pool[Math.floor(random() * pool.length)] as string;
  const list = (n: number) => Array.from({ length: n }, () => ({ id: pick(), score: Math.round(random() * 1000) / 1000 }));
  const lists = (n: number) => Array.from({ length: n }, () => list(Math.floor(random() * 30)));
  const popularity = new Map(pool.filter(() => random() < 0.5).map((id) => [id, random()]));
  return {
    topicHits: lists(Math.floor(random() * 5)).map((hits, i) => ({ topic: `topic ${i}`, hits })),
    seedHits: lists(Math.floor(random() * 6)).map((hits, i) => ({ seedItemId: `seed-${i}`, hits })),
    alsoLikedHits: lists(Math.floor(random() * 3)).map((hits, i) => ({ seedItemId: `seed-${i}`, hits })),
    placedHits: lists(Math.floor(random() * 2)).map((hits, i) => ({ seedItemId: `seed-${i}`, hits })),
    categoryHits: lists(Math.floor(random() * 3)).map((hits, i) => ({ category: `category ${i}`, hits })),
    ...(random() < 0.7 ? { popularHits: list(20) } : {}),
    popularity: (id: string) => popularity.get(id),
    unknownPopularity: random() < 0.5 ? 0.1 : undefined,
    weights: { topic: random() * 2, seed: random() * 2, alsoLiked: random(), placement: random() * 8, category: random(), popularity: random(), topicDecay: random() },
    exclude: new Set(pool.filter(() => random() < 0.1)),
  };
}

describe('fuseScores against the per-list Map fusion', () => {
  it('gives the same candidates, scores, order and reasons on random inputs, repeats and exclusions included', () => {
    const random = seeded(42);
    for (let run = 0; run < 500; run++) {
      const input = randomInput(random);
      const expected: FusedCandidate[] = mapFusion(input);
      expect(fuseScores(input), `run ${run}`).toEqual(expected);
    }
  });
});
