export interface SearchHit {
  id: string;
  /** Cosine similarity in [-1, 1]; higher is closer. */
  score: number;
}

export interface SearchOptions {
  /** Ids to leave out of the result; the result is still filled up to k from the rest. */
  exclude?: ReadonlySet<string>;
}

/** How reads of an index's kept search answers went (search-cache.ts): an answer (`caughtUp` of them after writes), none, one dropped as too far behind, one too short for the exclusions. */
export interface SearchCacheStats {
  answered: number;
  caughtUp: number;
  missed: number;
  dropped: number;
  short: number;
}

/** One query of `searchMany`. */
export interface SearchQuery extends SearchOptions {
  vector: Float32Array;
  k: number;
}

/** Nearest-neighbour index keyed by stable string ids, scored by cosine similarity. */
/** An index's unit vectors as stored (VectorIndex.storedRows): row r is `data[r·dimension … (r+1)·dimension)`. */
export interface StoredRows {
  readonly data: Float32Array;
  readonly dimension: number;
  rowOf(id: string): number | undefined;
}

export interface VectorIndex {
  readonly dimension: number;
  /** Number of live vectors. */
  readonly size: number;
  has(id: string): boolean;
  /** The live ids, in no particular order. */
  ids(): IterableIterator<string>;
  /** The stored (L2-normalised) vector of `id`, e.g. a user's seed item as a query. */
  vector(id: string): Float32Array | undefined;
  /**
   * The same vector without a copy: a view of the index's own storage, valid only until the index
   * next changes (an upsert, a remove, maintenance). For synchronous use, e.g. MMR comparing
   * candidates, where copying each vector out was a tenth of the recommend pool's CPU.
   */
  vectorView(id: string): Float32Array | undefined;
  /**
   * Every stored vector without a copy or a view per vector: the storage row by row and each id's
   * row, valid like `vectorView` only until the index next changes. MMR compares a list's ~600
   * candidates through it: a view per candidate was 7 % of the recommend pool's allocations.
   */
  storedRows(): StoredRows;
  /** Adds the vector, or replaces the one already stored under `id`; searchable on return. */
  upsert(id: string, vector: Float32Array): void;
  /** Returns false if `id` was not in the index. */
  remove(id: string): boolean;
  /**
   * Best first, equal scores by id; returns min(k, live vectors not excluded) hits, so k may
   * exceed the size.
   */
  search(query: Float32Array, k: number, options?: SearchOptions): SearchHit[];
  /** `search` for each query, in order, with the same results: cheaper than one by one where the index can search them together. */
  searchMany(queries: readonly SearchQuery[]): SearchHit[][];
  /**
   * The work writes put off (training, compaction or rebuild, queued adds), run without
   * blocking the event loop for long. Call it after a batch of writes; cheap when idle.
   */
  maintain(): Promise<void>;
  /**
   * Keeps up to `capacity` exact answers per query vector (0: none), for a process that asks the
   * same questions again and again: a kept answer is brought up to date across writes, so every
   * search still answers exactly as without it (search-cache.ts). Only an exact (Flat) index
   * keeps any. Memory: about `capacity` × (k + 32) hits.
   */
  keepSearchAnswers(capacity: number): void;
  /**
   * How reads of the answers an exact index keeps per query vector went (FaissVectorIndex's
   * search cache): answered from one (`caughtUp` of them after writes), `missed`, `dropped` (too
   * many writes behind), `short` (more exclusions among its hits than it kept room for).
   * Undefined where none are kept.
   */
  readonly searchCacheStats?: Readonly<SearchCacheStats> | undefined;
  /** A self-describing, checksummed snapshot; see deserializeVectorIndex. */
  serialize(): Buffer;
}
