import type { StoredRows } from './vector-index.js';

/**
 * The vectors the index keeps beside FAISS, one row per vector ever added since the last
 * compaction. A row is FAISS's label for it (faiss-node assigns labels by insertion order), so
 * rows are never reordered except by `compact`, which the caller mirrors in FAISS. A replaced or
 * removed vector's row stays as a tombstone until then.
 *
 * Keeping the vectors lets search re-rank candidates exactly, lets an index that cannot remove
 * be rebuilt without its tombstones, and is what a snapshot restores from.
 */
export class VectorStore {
  readonly dimension: number;
  #data: Float32Array;
  #rows = 0;
  /** null marks a tombstone. */
  #ids: (string | null)[] = [];
  readonly #rowById = new Map<string, number>();

  constructor(dimension: number, capacityRows = 1024) {
    this.dimension = dimension;
    this.#data = new Float32Array(Math.max(1, capacityRows) * dimension);
  }

  /** Rows written, tombstones included. */
  get rows(): number {
    return this.#rows;
  }

  get live(): number {
    return this.#rowById.size;
  }

  /** Live ids. */
  ids(): IterableIterator<string> {
    return this.#rowById.keys();
  }

  rowOf(id: string): number | undefined {
    return this.#rowById.get(id);
  }

  idAt(row: number): string | null {
    return this.#ids[row] ?? null;
  }

  /** A view, valid until the next append or compaction. */
  rowsView(from: number, to: number): Float32Array {
    return this.#data.subarray(from * this.dimension, to * this.dimension);
  }

  /** Every row and each id's row (VectorIndex.storedRows), valid until the next append or compaction. */
  storedRows(): StoredRows {
    return { data: this.rowsView(0, this.#rows), dimension: this.dimension, rowOf: (id) => this.#rowById.get(id) };
  }

  /** `vector` must already be normalised and of the store's dimension. */
  append(id: string, vector: Float32Array): number {
    const existing = this.#rowById.get(id);
    if (existing !== undefined) this.kill(existing);
    if ((this.#rows + 1) * this.dimension > this.#data.length) {
      const grown = new Float32Array(Math.max(this.#data.length * 2, (this.#rows + 1) * this.dimension));
      grown.set(this.#data.subarray(0, this.#rows * this.dimension));
      this.#data = grown;
    }
    const row = this.#rows++;
    this.#data.set(vector, row * this.dimension);
    this.#ids.push(id);
    this.#rowById.set(id, row);
    return row;
  }

  /** Returns the row that held `id`, or undefined if it was not live. */
  remove(id: string): number | undefined {
    const row = this.#rowById.get(id);
    if (row !== undefined) this.kill(row);
    return row;
  }

  private kill(row: number): void {
    const id = this.#ids[row];
    if (id === null || id === undefined) return;
    this.#ids[row] = null;
    this.#rowById.delete(id);
  }

  /**
   * Inner product in float64 of the stored (float32) row with `query`. Both the re-ranking and
   * the brute-force scan of rows not yet in FAISS use this one formula, so equal vectors give
   * bit-identical scores and ties can be broken by id deterministically.
   */
  dot(row: number, query: Float32Array): number {
    const base = row * this.dimension;
    const data = this.#data;
    let sum = 0;
    for (let i = 0; i < query.length; i++) sum += (data[base + i] as number) * (query[i] as number);
    return sum;
  }

  /**
   * Drops every tombstone, keeping live rows in order (which is what FAISS's removeIds does to
   * a Flat index's labels). Returns the old rows that were dropped.
   */
  compact(): number[] {
    const dropped: number[] = [];
    const d = this.dimension;
    let write = 0;
    for (let read = 0; read < this.#rows; read++) {
      const id = this.#ids[read] ?? null;
      if (id === null) {
        dropped.push(read);
        continue;
      }
      if (write !== read) {
        this.#data.copyWithin(write * d, read * d, (read + 1) * d);
        this.#ids[write] = id;
        this.#rowById.set(id, write);
      }
      write++;
    }
    this.#ids.length = write;
    this.#rows = write;
    return dropped;
  }

  /** For snapshots: every row's id (null for tombstones) and the rows' vectors. */
  exportRows(): { ids: (string | null)[]; vectors: Float32Array } {
    return { ids: [...this.#ids], vectors: this.#data.slice(0, this.#rows * this.dimension) };
  }

  static fromRows(dimension: number, ids: readonly (string | null)[], vectors: Float32Array): VectorStore {
    const store = new VectorStore(dimension, ids.length);
    store.#data.set(vectors);
    store.#rows = ids.length;
    store.#ids = [...ids];
    ids.forEach((id, row) => {
      if (id !== null) store.#rowById.set(id, row);
    });
    return store;
  }
}
