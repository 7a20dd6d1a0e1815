import { mulberry32, shuffle } from '@coldstart/runtime';
import type { EmbeddedCatalog, EvalCatalog } from './eval-catalog.js';
import type { EvalCase } from './eval-protocol.js';
import type { EvalSystem } from './eval-system.js';
import type { TrainingStats } from './training-stats.js';

/** Ids by descending score, ties by ascending numeric id so every run agrees. */
function byScore(scores: ReadonlyMap<string, number>, ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0) || Number(a) - Number(b));
}

/** The signup's seed item, the one thing a baseline's list leaves out; none under category-only. */
const seedOf = (user: EvalCase) => (user.seed ? String(user.seed.book.bookId) : undefined);

function topK(ranked: readonly string[], seedId: string | undefined, k: number): string[] {
  return ranked.filter((id) => id !== seedId).slice(0, k);
}

/** K books drawn uniformly per user, from a stream fixed by --seed and the user's id. */
export function randomBaseline(catalog: EvalCatalog, seed: number): EvalSystem {
  const ids = [...catalog.items.keys()];
  return {
    name: 'random',
    kind: 'baseline',
    recommend: (user, k) => Promise.resolve({ itemIds: topK(shuffle([...ids], mulberry32(seed ^ user.userId)), seedOf(user), k) }),
  };
}

/** The books most training users rated. */
export function popularityBaseline(catalog: EvalCatalog, stats: TrainingStats): EvalSystem {
  const ranked = byScore(stats.popularity, catalog.items.keys());
  return { name: 'popularity', kind: 'baseline', recommend: (user, k) => Promise.resolve({ itemIds: topK(ranked, seedOf(user), k) }) };
}

/** The most rated books of the user's interest category (the seed's primary genre), then the most rated overall. */
export function genrePopularityBaseline(catalog: EvalCatalog, stats: TrainingStats): EvalSystem {
  const ranked = byScore(stats.popularity, catalog.items.keys());
  const byGenre = new Map<string, string[]>();
  return {
    name: 'genre-popularity',
    kind: 'baseline',
    recommend: (user, k) => {
      const genre = user.category ?? '';
      let list = byGenre.get(genre);
      if (!list) {
        const inGenre = ranked.filter((id) => catalog.items.get(id)?.book.primaryGenre === genre);
        const inGenreSet = new Set(inGenre);
        byGenre.set(genre, (list = [...inGenre, ...ranked.filter((id) => !inGenreSet.has(id))]));
      }
      return Promise.resolve({ itemIds: topK(list, seedOf(user), k) });
    },
  };
}

/** The seed's nearest neighbours in one encoder's index: content similarity without expansion, prior or diversity. Needs a seed (not under category-only). */
export function contentNnBaseline(embedded: EmbeddedCatalog): EvalSystem {
  return {
    name: `content-nn × ${embedded.encoderId}`,
    kind: 'baseline',
    recommend: (user, k) => {
      const seedId = seedOf(user);
      const vector = seedId === undefined ? undefined : embedded.vectors.get(seedId);
      if (seedId === undefined || !vector) return Promise.resolve({ itemIds: [] });
      return Promise.resolve({ itemIds: embedded.index.search(vector, k, { exclude: new Set([seedId]) }).map((h) => h.id) });
    },
  };
}

/**
 * The warm reference: item-to-item collaborative filtering from the seed, ranking books by how
 * many training users rated both (raw co-occurrence), then by popularity. It needs behaviour
 * data that a cold-start system does not have, which is what makes it the bar to approach.
 * Needs a seed (not under category-only).
 */
export function cooccurrenceReference(catalog: EvalCatalog, stats: TrainingStats): EvalSystem {
  const popular = byScore(stats.popularity, catalog.items.keys());
  return {
    name: 'item-cf',
    kind: 'reference',
    recommend: (user, k) => {
      const seedId = seedOf(user);
      const co = seedId === undefined ? new Map<string, number>() : stats.coRated(seedId);
      const withCo = byScore(co, [...co.keys()].filter((id) => catalog.items.has(id)));
      const taken = new Set(withCo);
      return Promise.resolve({ itemIds: topK([...withCo, ...popular.filter((id) => !taken.has(id))], seedId, k) });
    },
  };
}
