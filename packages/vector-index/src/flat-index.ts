import faiss from 'faiss-node';
import type { IndexFlatIP } from 'faiss-node';
import { InvalidVectorIdError } from './errors.js';
import { normalizeVector } from './normalize-vector.js';
import type { SearchHit, SearchOptions, VectorIndex } from './vector-index.js';

/**
 * Exact cosine search: faiss IndexFlatIP over L2-normalised vectors.
 *
 * faiss-node has no add_with_ids, so a vector's faiss label is simply its insertion
 * position, and removing one shifts every later label down by one. The two arrays below
 * mirror that, which makes remove and replace O(size); that is the price of exact search
 * anyway, since every query already scans all vectors.
 */
export class FlatIndex implements VectorIndex {
  readonly dimension: number;
  readonly #faiss: IndexFlatIP;
  /** Position = faiss label. */
  readonly #idByLabel: string[] = [];
  readonly #labelById = new Map<string, number>();

  constructor(dimension: number) {
    // faiss-node casts a bad dimension to uint32 or, for a non-number, leaves the native
    // index unset and segfaults on first use.
    if (!Number.isSafeInteger(dimension) || dimension < 1) {
      throw new RangeError(`dimension must be a positive integer, got ${dimension}`);
    }
    this.dimension = dimension;
    this.#faiss = new faiss.IndexFlatIP(dimension);
  }

  get size(): number {
    return this.#idByLabel.length;
  }

  has(id: string): boolean {
    return this.#labelById.has(id);
  }

  upsert(id: string, vector: Float32Array): void {
    assertValidId(id);
    // Validate before touching faiss so a rejected replacement leaves the old vector intact.
    const normalized = normalizeVector(id, vector, this.dimension);
    // faiss-node cannot overwrite a stored vector, so a replacement moves to the end.
    this.remove(id);
    this.#faiss.add(normalized);
    this.#labelById.set(id, this.#idByLabel.length);
    this.#idByLabel.push(id);
  }

  remove(id: string): boolean {
    const label = this.#labelById.get(id);
    if (label === undefined) return false;
    const removed = this.#faiss.removeIds([label]);
    if (removed !== 1) {
      throw new Error(`faiss removed ${removed} vectors for label ${label} (id ${JSON.stringify(id)}), expected 1`);
    }
    this.#labelById.delete(id);
    this.#idByLabel.splice(label, 1);
    for (let shifted = label; shifted < this.#idByLabel.length; shifted++) {
      this.#labelById.set(this.#idByLabel[shifted] as string, shifted);
    }
    return true;
  }

  search(query: Float32Array, k: number, options: SearchOptions = {}): SearchHit[] {
    if (!Number.isSafeInteger(k) || k < 0) {
      throw new RangeError(`k must be a non-negative integer, got ${k}`);
    }
    const normalized = normalizeVector(undefined, query, this.dimension);
    const exclude = options.exclude;
    const excludedLive = exclude === undefined ? 0 : this.#countLive(exclude);
    const wanted = Math.min(k, this.size - excludedLive);
    // Never ask faiss for k = 0: FAISS asserts k > 0 and faiss-node does not catch the C++
    // exception, so the whole process aborts. An empty index would need k = 0 too, because
    // faiss-node throws for k > ntotal.
    if (wanted <= 0) return [];

    // At most `excludedLive` of the fetched hits can be excluded, so fetching that many more
    // fills the result in one native call.
    const fetch = Math.min(this.size, wanted + excludedLive);
    const { labels, distances } = this.#faiss.search(normalized, fetch);
    const hits: SearchHit[] = [];
    for (let rank = 0; rank < labels.length && hits.length < wanted; rank++) {
      const label = labels[rank] as number;
      // faiss pads with -1 when it finds fewer hits than asked; with finite, normalised
      // vectors that should not happen, but an out-of-range label must never become an id.
      const id = this.#idByLabel[label];
      if (id === undefined || exclude?.has(id)) continue;
      hits.push({ id, score: distances[rank] as number });
    }
    return hits;
  }

  #countLive(ids: ReadonlySet<string>): number {
    let live = 0;
    for (const id of ids) if (this.#labelById.has(id)) live++;
    return live;
  }
}

function assertValidId(id: string): void {
  if (typeof id !== 'string' || id.length === 0) throw new InvalidVectorIdError(id);
}
