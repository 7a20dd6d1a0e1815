import type { SearchCacheStats, SearchHit, SearchQuery } from './vector-index.js';

/** Hits kept beyond a query's k, so a user's seen items can be left out of a kept answer. */
export const SEARCH_CACHE_SLACK = 32;
/** Writes an entry is brought up to date across before it is dropped instead. */
const MAX_PENDING_CHANGES = 64;

/**
 * An exact answer kept for one query vector: the best `hits.length` live vectors with nothing
 * excluded, best first with ties by id, as the index would answer now (`whole`: every live
 * vector, the index held fewer than were asked for).
 */
interface Entry {
  /** The normalised query, which scores a vector written after the answer was kept. */
  query: Float32Array;
  hits: SearchHit[];
  /** How many hits were asked for when it was kept: it never holds more. */
  asked: number;
  whole: boolean;
  /** The index's change count the hits are exact at. */
  version: number;
}

/**
 * Exact search answers kept per query vector, for an exact (Flat) index: the recommend pool asks
 * the same questions over and over (a topic many users' expansions share, a popular seed item's
 * own vector), and one answer costs a FAISS call, a rescoring of a few hundred candidates and a
 * sort. Each kept answer is the top of the whole index; a query's own exclusions (the user's seen
 * items) are taken out when it is read, which is exact while at most SEARCH_CACHE_SLACK of them
 * fall in it.
 *
 * Writes do not empty the cache: each records the id it changed, and an entry read after up to
 * MAX_PENDING_CHANGES writes is brought up to date from them (an id in it is taken out; an id
 * whose vector now scores above its last hit is put in at its place). Each step keeps the entry
 * the exact top of the index as it then is, so a read never differs from a search; a catalog
 * import, with more writes between reads, drops the entries it passed instead.
 */
export class SearchCache {
  readonly stats: SearchCacheStats = { answered: 0, caughtUp: 0, missed: 0, dropped: 0, short: 0 };
  readonly #entries = new Map<string, Entry>();
  /** The ids written, oldest first: changes[i] made version `base + i + 1`. */
  #changes: string[] = [];
  #base = 0;

  constructor(
    /** Entries kept, least recently read dropped first. */
    private readonly capacity: number,
    /** An id's current score against a normalised query; undefined once it is no longer live. */
    private readonly score: (id: string, query: Float32Array) => number | undefined,
  ) {}

  /** A cache of `capacity` answers where answers are `exact` and `capacity` > 0; else none. */
  static create(capacity: number, exact: boolean, score: (id: string, query: Float32Array) => number | undefined): SearchCache | undefined {
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw new RangeError(`searchCache must be a non-negative integer, got ${capacity}`);
    return exact && capacity > 0 ? new SearchCache(capacity, score) : undefined;
  }

  get #version(): number {
    return this.#base + this.#changes.length;
  }

  /** Every upsert and every remove that removed something. */
  changed(id: string): void {
    if (this.#entries.size === 0) {
      // Nothing to bring up to date: start the log afresh.
      this.#base = this.#version + 1;
      this.#changes = [];
      return;
    }
    this.#changes.push(id);
    if (this.#changes.length > 2 * MAX_PENDING_CHANGES) {
      this.#base += MAX_PENDING_CHANGES;
      this.#changes = this.#changes.slice(MAX_PENDING_CHANGES);
    }
  }

  /**
   * The index's answers to the queries: from kept answers where they can give them, the rest by
   * `search`, each missed query asked with nothing excluded and room to spare and its answer kept
   * (`normalize`: the query as the index scores it); a query with more of its exclusions among
   * the best than that room is searched as it is.
   */
  searchMany(queries: readonly SearchQuery[], search: (queries: readonly SearchQuery[]) => SearchHit[][], normalize: (vector: Float32Array) => Float32Array): SearchHit[][] {
    const answers = queries.map((query) => this.read(vectorKey(query.vector), query.k, query.exclude));
    const missed = queries.flatMap((query, i) => (answers[i] === undefined ? [{ i, query, asked: query.k + SEARCH_CACHE_SLACK }] : []));
    if (missed.length === 0) return answers as SearchHit[][];
    const found = search(missed.map(({ query, asked }) => ({ vector: query.vector, k: asked })));
    missed.forEach(({ i, query, asked }, m) => {
      answers[i] = this.keep(vectorKey(query.vector), normalize(query.vector), asked, found[m] as SearchHit[], query.k, query.exclude);
    });
    const short = missed.filter(({ i }) => answers[i] === undefined);
    if (short.length > 0) search(short.map(({ query }) => query)).forEach((hits, s) => (answers[(short[s] as { i: number }).i] = hits));
    return answers as SearchHit[][];
  }

  /** The index's answer to (query, k, exclude) from a kept one, or undefined where none can give it. */
  read(key: string, k: number, exclude: ReadonlySet<string> | undefined): SearchHit[] | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.stats.missed++;
      return undefined;
    }
    if (entry.version !== this.#version) {
      if (!this.#catchUp(entry)) {
        this.stats.dropped++;
        this.#entries.delete(key);
        return undefined;
      }
      this.stats.caughtUp++;
    }
    // Least recently read first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    const hits = answer(entry, k, exclude);
    if (hits === undefined) this.stats.short++;
    else this.stats.answered++;
    return hits;
  }

  /**
   * Keeps `hits`, the index's answer now to `query` for `asked` hits with nothing excluded, and
   * returns from it the answer to (k, exclude), as `read` would.
   */
  keep(key: string, query: Float32Array, asked: number, hits: SearchHit[], k: number, exclude: ReadonlySet<string> | undefined): SearchHit[] | undefined {
    const entry: Entry = { query, hits, asked, whole: hits.length < asked, version: this.#version };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value as string);
    return answer(entry, k, exclude);
  }

  /** Brings the entry to the current version; false when too many writes passed it. */
  #catchUp(entry: Entry): boolean {
    if (entry.version < this.#base || this.#version - entry.version > MAX_PENDING_CHANGES) return false;
    const pending = new Set(this.#changes.slice(entry.version - this.#base));
    for (const id of pending) {
      const at = entry.hits.findIndex((hit) => hit.id === id);
      if (at >= 0) entry.hits.splice(at, 1);
      const score = this.score(id, entry.query);
      if (score === undefined) continue;
      // Once the last kept hit is no longer among them, a vector above it is the next one in.
      const last = entry.hits[entry.hits.length - 1];
      // (With none left, nothing is known of what ranks first.)
      if (!entry.whole && (last === undefined || !ranksBefore(score, id, last))) continue;
      let place = entry.hits.length;
      while (place > 0 && ranksBefore(score, id, entry.hits[place - 1] as SearchHit)) place--;
      entry.hits.splice(place, 0, { id, score });
      // The best `asked` of an exact top are the exact top `asked`.
      if (entry.hits.length > entry.asked) {
        entry.hits.pop();
        entry.whole = false;
      }
    }
    entry.version = this.#version;
    return true;
  }
}

/** The first k of the entry's hits not excluded; undefined where the entry holds too few to know them. */
function answer(entry: Entry, k: number, exclude: ReadonlySet<string> | undefined): SearchHit[] | undefined {
  const hits: SearchHit[] = [];
  for (const hit of entry.hits) {
    if (hits.length === k) break;
    if (!exclude?.has(hit.id)) hits.push(hit);
  }
  return hits.length < k && !entry.whole ? undefined : hits;
}

/** The index's order: best first, equal scores by id. */
function ranksBefore(score: number, id: string, other: SearchHit): boolean {
  return score > other.score || (score === other.score && id < other.id);
}

/** The cache key of a query vector: its exact bytes. */
export function vectorKey(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('latin1');
}
