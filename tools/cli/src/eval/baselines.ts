import { mulberry32, shuffle } from '@coldstart/runtime';
import type { EmbeddedCatalog, EvalCatalog } from './eval-catalog.js';
import type { EvalSystem } from './eval-system.js';
import type { TrainingStats } from './training-stats.js';

/** Ids by descending score, ties by ascending numeric id so every run agrees. */
function byScore(scores: ReadonlyMap<string, number>, ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0) || Number(a) - Number(b));
}

function topK(ranked: readonly string[], seedId: string, k: number): string[] {
  return ranked.filter((id) => id !== seedId).slice(0, k);
}

/** K books drawn uniformly per user, from a stream fixed by --seed and the user's id. */
export function randomBaseline(catalog: EvalCatalog, seed: number): EvalSystem {
  const ids = [...catalog.items.keys()];
  return {
    name: 'random',
    kind: 'baseline',
    recommend: (user, k) => Promise.resolve({ itemIds: topK(shuffle([...ids], mulberry32(seed ^ user.userId)), String(user.seed.bookId), k) }),
  };
}

/** The books most training users rated. */
export function popularityBaseline(catalog: EvalCatalog, stats: TrainingStats): EvalSystem {
  const ranked = byScore(stats.popularity, catalog.items.keys());
  return { name: 'popularity', kind: 'baseline', recommend: (user, k) => Promise.resolve({ itemIds: topK(ranked, String(user.seed.bookId), k) }) };
}

/** The most rated books of the seed's primary genre (the user's interest category), then the most rated overall. */
export function genrePopularityBaseline(catalog: EvalCatalog, stats: TrainingStats): EvalSystem {
  const ranked = byScore(stats.popularity, catalog.items.keys());
  const byGenre = new Map<string, string[]>();
  return {
    name: 'genre-popularity',
    kind: 'baseline',
    recommend: (user, k) => {
      const genre = user.seed.primaryGenre ?? '';
      let list = byGenre.get(genre);
      if (!list) {
        const inGenre = ranked.filter((id) => catalog.items.get(id)?.book.primaryGenre === genre);
        const inGenreSet = new Set(inGenre);
        byGenre.set(genre, (list = [...inGenre, ...ranked.filter((id) => !inGenreSet.has(id))]));
      }
      return Promise.resolve({ itemIds: topK(list, String(user.seed.bookId), k) });
    },
  };
}

/** The seed's nearest neighbours in one encoder's index: content similarity without expansion, prior or diversity. */
export function contentNnBaseline(embedded: EmbeddedCatalog): EvalSystem {
  return {
    name: `content-nn × ${embedded.encoderId}`,
    kind: 'baseline',
    recommend: (user, k) => {
      const seedId = String(user.seed.bookId);
      const vector = embedded.vectors.get(seedId);
      const hits = vector ? embedded.index.search(vector, k, { exclude: new Set([seedId]) }) : [];
      return Promise.resolve({ itemIds: hits.map((h) => h.id) });
    },
  };
}

/**
 * The warm reference: item-to-item collaborative filtering from the seed, ranking books by how
 * many training users rated both (raw co-occurrence), then by popularity. It needs behaviour
 * data that a cold-start system does not have, which is what makes it the bar to approach.
 */
export function cooccurrenceReference(catalog: EvalCatalog, stats: TrainingStats): EvalSystem {
  const popular = byScore(stats.popularity, catalog.items.keys());
  return {
    name: 'item-cf',
    kind: 'reference',
    recommend: (user, k) => {
      const seedId = String(user.seed.bookId);
      const co = stats.coRated(seedId);
      const withCo = byScore(co, [...co.keys()].filter((id) => catalog.items.has(id)));
      const taken = new Set(withCo);
      return Promise.resolve({ itemIds: topK([...withCo, ...popular.filter((id) => !taken.has(id))], seedId, k) });
    },
  };
}
