import type { SearchHit } from './vector-index.js';
import type { VectorStore } from './vector-store.js';

/**
 * Exact answers from the vectors the index keeps (VectorStore): every hit is scored here, in
 * float64 from the stored float32 rows, whatever found it (FAISS, or a scan), and equal scores
 * are ordered by id, so an answer never depends on FAISS's arithmetic or internal order.
 */

/** What one query needs from FAISS (FaissVectorIndex's search plan). */
export interface SearchPlan {
  normalized: Float32Array;
  exclude: ReadonlySet<string> | undefined;
  wanted: number;
  /** Scored rows FAISS does not hold yet. */
  pending: SearchHit[];
  /** How many candidates to ask FAISS for first. */
  fetch: number;
}

/** Best first; equal scores by id. */
export function topK(hits: SearchHit[], k: number): SearchHit[] {
  // Comparisons, not a difference, which the sort would box (a heap number per comparison).
  return hits.sort((a, b) => (a.score > b.score ? -1 : a.score < b.score ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, k);
}

/** Scores `row` into `into` unless it is a tombstone or excluded. */
export function scoreRow(store: VectorStore, row: number, query: Float32Array, exclude: ReadonlySet<string> | undefined, into: SearchHit[]): void {
  const id = store.idAt(row);
  if (id !== null && !exclude?.has(id)) into.push({ id, score: store.dot(row, query) });
}

/** Every row scored: the top k of the live, not excluded vectors. */
export function scanAll(store: VectorStore, query: Float32Array, k: number, exclude: ReadonlySet<string> | undefined): SearchHit[] {
  const hits: SearchHit[] = [];
  for (let row = 0; row < store.rows; row++) scoreRow(store, row, query, exclude, hits);
  return topK(hits, k);
}

/**
 * The plan's top `wanted` from FAISS's first `fetch` candidates (`labels` from `from` on, best
 * first, of the `faissRows` FAISS holds), or undefined when an unfetched vector might still
 * belong in it. `boundary` is the last of those candidates' FAISS score; `scoreSlack` how far
 * FAISS's float32 score may stray from ours.
 */
export function topOfFetched(
  store: VectorStore,
  plan: SearchPlan,
  fetched: { labels: readonly number[]; from: number; boundary: number; fetch: number; faissRows: number; scoreSlack: number },
): SearchHit[] | undefined {
  const { normalized, exclude, wanted } = plan;
  const { labels, from } = fetched;
  const hits = [...plan.pending];
  // FAISS pads with -1 when it finds fewer than asked (HNSW can, on a sparse graph).
  let exhausted = false;
  for (let i = from; i < from + fetched.fetch; i++) {
    const label = labels[i] as number;
    if (label < 0) exhausted = true;
    else scoreRow(store, label, normalized, exclude, hits);
  }
  const top = topK(hits, wanted);
  if (fetched.fetch === fetched.faissRows || exhausted) {
    // Only an approximate index can come up short here; an exact scan keeps the promise
    // of min(k, live not excluded) hits.
    return top.length === wanted ? top : scanAll(store, normalized, wanted, exclude);
  }
  // Everything not fetched scores at most the last fetched distance (in FAISS's own order,
  // exact for Flat), so once that is clearly below the k-th exact score no unseen vector can
  // enter the top k, ties by id included.
  const last = top[wanted - 1];
  if (last !== undefined && top.length === wanted && fetched.boundary < last.score - fetched.scoreSlack) return top;
  return undefined;
}
