/** FaissVectorIndexOptions.candidates of an index that is not Flat, unless given. */
export const DEFAULT_APPROXIMATE_CANDIDATES = 100;

/** What a FaissVectorIndex is built with; a snapshot restores all but `searchCache`. */
export interface FaissVectorIndexOptions {
  dimension: number;
  /** A FAISS index factory string: Flat, HNSW32, IVF1024,Flat, IVF4096,PQ64, … Default Flat. */
  factory?: string;
  /** Vectors to train on (the first ones added) where the index needs training. */
  trainSize?: number;
  /** IVF only: inverted lists probed per query (faiss-node leaves it at 1). */
  nprobe?: number;
  /**
   * Fewest FAISS candidates fetched per search and re-ranked exactly. For HNSW this is also its
   * effective efSearch, since FAISS searches with max(efSearch, k). Default 0 for Flat (exact
   * already), 100 otherwise (see the README's recall figures).
   */
  candidates?: number;
  /** Exact answers kept per query vector (search-cache.ts; Flat only), 0 for none (the default); see keepSearchAnswers. */
  searchCache?: number;
}
