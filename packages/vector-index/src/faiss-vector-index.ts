import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import './openmp-threads.js';
import faiss from 'faiss-node';
import type { Index } from 'faiss-node';
import { IndexSnapshotError, InvalidVectorIdError } from './errors.js';
import { createFaissIndex, defaultTrainSize, parseFactory, validateNprobe, withNprobe, type FactorySpec } from './faiss-factory.js';
import { scanAll, scoreRow, topK, topOfFetched, type SearchPlan } from './exact-hits.js';
import { DEFAULT_APPROXIMATE_CANDIDATES, type FaissVectorIndexOptions } from './faiss-vector-index-options.js';
import { decodeSnapshot, encodeSnapshot } from './index-snapshot.js';
import { normalizeVector } from './normalize-vector.js';
import { SearchCache } from './search-cache.js';
import { trainInWorker } from './train-in-worker.js';
import type { SearchCacheStats, SearchHit, SearchOptions, SearchQuery, StoredRows, VectorIndex } from './vector-index.js';
import { VectorStore } from './vector-store.js';

/** Floats per faiss-node call while adding in slices (~0.1 s of HNSW32 inserts at 768-d). */
const ADD_SLICE_VALUES = 1 << 17;
/** Flat compacts once this share of its rows are tombstones; a compaction is one memmove. */
const COMPACT_DEAD_FRACTION = 1 / 64;
/** Indexes that cannot remove are rebuilt past this share, since a rebuild re-adds everything. */
const REBUILD_DEAD_FRACTION = 1 / 8;

/**
 * A VectorIndex over any FAISS factory string, with string ids and exact cosine scores.
 *
 * faiss-node labels vectors by insertion position and cannot add with ids, so the wrapper keeps
 * every vector in a VectorStore whose row is the FAISS label. Writes never need FAISS to remove:
 * a replaced or removed vector becomes a tombstone, which search skips by over-fetching; Flat
 * compacts tombstones away (removeIds shifts labels exactly as the store's compaction does) and
 * every other type is rebuilt without them in `maintain()`. Search re-ranks FAISS's candidates
 * with exact scores from the store, breaking ties by id, so results are deterministic and, for
 * Flat, exactly the brute-force top k.
 *
 * Rows not yet in FAISS (before training, or written while `maintain()` runs) are scanned by
 * brute force, so a write is searchable as soon as upsert returns.
 */
export class FaissVectorIndex implements VectorIndex {
  readonly dimension: number;
  readonly factory: string;
  readonly #spec: FactorySpec;
  readonly #trainSize: number;
  readonly #nprobe: number | undefined;
  readonly #candidates: number;
  /** Scores FAISS computes in float32 may differ from the store's float64 ones by this much. */
  readonly #scoreSlack: number;
  #store: VectorStore;
  /** Undefined until trained. */
  #faiss: Index | undefined;
  /** Rows 0..faissRows-1 are in FAISS, with label = row. */
  #faissRows = 0;
  /** Tombstones among the rows in FAISS. */
  #dead = 0;
  /** The empty trained index rebuilds start from; only for types that need training. */
  #template: Buffer | undefined;
  #maintenance: Promise<void> | undefined;
  /** Exact answers kept per query vector; only where answers are exact (Flat). */
  #cache: SearchCache | undefined;

  constructor(options: FaissVectorIndexOptions) {
    const { dimension } = options;
    // faiss-node casts a bad dimension to uint32 or, for a non-number, leaves the native
    // index unset and segfaults on first use.
    if (!Number.isSafeInteger(dimension) || dimension < 1) {
      throw new RangeError(`dimension must be a positive integer, got ${dimension}`);
    }
    this.dimension = dimension;
    this.#spec = parseFactory(dimension, options.factory ?? 'Flat');
    this.factory = this.#spec.factory;
    this.#trainSize = options.trainSize ?? defaultTrainSize(this.#spec);
    // FAISS cannot train k-means on fewer points than centroids, and faiss-node would not
    // catch the C++ exception: the process would abort.
    const minTrain = this.#spec.nlist ?? 1;
    if (!Number.isSafeInteger(this.#trainSize) || this.#trainSize < minTrain) throw new RangeError(`trainSize must be an integer ≥ ${minTrain}, got ${this.#trainSize}`);
    if (options.nprobe !== undefined) validateNprobe(this.#spec, options.nprobe);
    this.#nprobe = options.nprobe;
    this.#candidates = options.candidates ?? (this.#spec.factory === 'Flat' ? 0 : DEFAULT_APPROXIMATE_CANDIDATES);
    if (!Number.isSafeInteger(this.#candidates) || this.#candidates < 0) throw new RangeError(`candidates must be a non-negative integer, got ${this.#candidates}`);
    this.#scoreSlack = dimension * 2 ** -23;
    this.#store = new VectorStore(dimension);
    this.#faiss = this.#spec.needsTraining ? undefined : createFaissIndex(dimension, this.factory);
    this.keepSearchAnswers(options.searchCache ?? 0);
  }

  keepSearchAnswers(capacity: number): void {
    // Kept answers are exact only where search is: an approximate index keeps none.
    this.#cache = SearchCache.create(capacity, this.#spec.factory === 'Flat', (id, query) => {
      const row = this.#store.rowOf(id);
      return row === undefined ? undefined : this.#store.dot(row, query);
    });
  }

  get size(): number {
    return this.#store.live;
  }

  get searchCacheStats(): Readonly<SearchCacheStats> | undefined {
    return this.#cache?.stats;
  }

  has(id: string): boolean {
    return this.#store.rowOf(id) !== undefined;
  }

  ids(): IterableIterator<string> {
    return this.#store.ids();
  }

  /** A copy: the store's rows move on append and compaction. */
  vector(id: string): Float32Array | undefined {
    return this.vectorView(id)?.slice();
  }

  vectorView(id: string): Float32Array | undefined {
    const row = this.#store.rowOf(id);
    return row === undefined ? undefined : this.#store.rowsView(row, row + 1);
  }

  storedRows = (): StoredRows => this.#store.storedRows();

  upsert(id: string, vector: Float32Array): void {
    assertValidId(id);
    // Validate before touching anything so a rejected replacement leaves the old vector intact.
    const normalized = normalizeVector(id, vector, this.dimension);
    this.#countRemoval(this.#store.rowOf(id));
    const row = this.#store.append(id, normalized);
    this.#cache?.changed(id);
    // Adding one vector is short for every index type, so it happens right away unless rows
    // are queued ahead of it (FAISS labels must follow row order).
    if (this.#faiss !== undefined && row === this.#faissRows) {
      this.#faiss.add(Array.from(normalized));
      this.#faissRows++;
    }
  }

  remove(id: string): boolean {
    const row = this.#store.remove(id);
    this.#countRemoval(row);
    if (row === undefined) return false;
    this.#cache?.changed(id);
    return true;
  }

  search(query: Float32Array, k: number, options: SearchOptions = {}): SearchHit[] {
    return this.searchMany([{ vector: query, k, ...(options.exclude ? { exclude: options.exclude } : {}) }])[0] as SearchHit[];
  }

  /**
   * The queries' results, each exactly what `search` returns for it, with one call into FAISS for
   * all of them (at the largest fetch any needs): FAISS then scores the queries against the
   * vectors as one matrix product, and each search's fixed costs are paid once. A query whose
   * fetch proves short carries on alone, as `search` does. Measured (docs/performance.md,
   * searches in one call): 80 queries over 1 259 × 100 vectors, 8.7 ms one by one, 4.9 at once.
   */
  searchMany(queries: readonly SearchQuery[]): SearchHit[][] {
    if (this.#cache === undefined) return this.#searchAll(queries);
    for (const query of queries) assertK(query.k);
    return this.#cache.searchMany(queries, (asked) => this.#searchAll(asked), (vector) => normalizeVector(undefined, vector, this.dimension));
  }

  #searchAll(queries: readonly SearchQuery[]): SearchHit[][] {
    const plans = queries.map((query) => this.#plan(query));
    const pending = plans.filter((plan): plan is SearchPlan => !Array.isArray(plan));
    if (pending.length === 0) return plans as SearchHit[][];
    const fetch = Math.max(...pending.map((plan) => plan.fetch));
    const { labels, distances } = this.#faissIndex().search(
      pending.flatMap((plan) => Array.from(plan.normalized)),
      fetch,
    );
    const fetched = new Map<SearchPlan, SearchHit[]>();
    pending.forEach((plan, i) => {
      // Each query reads only the first plan.fetch of its candidates (FAISS returns them best
      // first), so its answer is what its own search would have fetched and checked.
      const from = i * fetch;
      const hits = this.#topOfFetched(plan, labels, from, distances[from + plan.fetch - 1] as number, plan.fetch);
      fetched.set(plan, hits ?? this.#searchFrom(plan, Math.min(this.#faissRows, plan.fetch * 2)));
    });
    return plans.map((plan) => (Array.isArray(plan) ? plan : (fetched.get(plan) as SearchHit[])));
  }

  /** A plan exists only where FAISS holds rows (#plan answers every other query itself). */
  #faissIndex(): Index {
    if (this.#faiss === undefined) throw new Error('a search plan without a FAISS index');
    return this.#faiss;
  }

  /** A query's result when it needs no call into FAISS; else what the call needs. */
  #plan(query: SearchQuery): SearchHit[] | SearchPlan {
    const { k } = query;
    assertK(k);
    const normalized = normalizeVector(undefined, query.vector, this.dimension);
    const exclude = query.exclude;
    const excludedLive = exclude === undefined ? 0 : this.#countLive(exclude);
    const wanted = Math.min(k, this.size - excludedLive);
    if (wanted <= 0) return [];

    // Rows not in FAISS yet (queued behind training or a rebuild) are scored here.
    const pending: SearchHit[] = [];
    for (let row = this.#faissRows; row < this.#store.rows; row++) scoreRow(this.#store, row, normalized, exclude, pending);
    const rows = this.#faissRows;
    if (this.#faiss === undefined || rows === 0) return topK(pending, wanted);

    // Never ask faiss for k = 0 or k > ntotal: the first aborts the process, the second
    // throws. Start from the expected dilution by tombstones and excluded ids, plus a little
    // slack; the boundary check asks again, for twice as many, in the rare case that was
    // short. (Twice the expected count from the start cost a third more per search, measured on
    // 1 000 × 100 at k = 200, and every candidate fetched is scored again here.)
    const live = rows - this.#dead;
    const expected = Math.ceil(((wanted + excludedLive) * rows) / Math.max(1, live));
    const fetch = Math.min(rows, Math.max(this.#candidates, expected + 8));
    // Every row would be fetched and each is scored here anyway (exact scores, ties by id), so
    // the call into FAISS would only add its own pass, the copies in and out and a full sort:
    // on a small catalog (hundreds of items, k in the hundreds) that was most of a list's cost.
    if (fetch === rows && this.#spec.factory === 'Flat') return scanAll(this.#store, normalized, wanted, exclude);
    return { normalized, exclude, wanted, pending, fetch };
  }

  /** Asks FAISS for `fetch` candidates, twice as many each time that proves short. */
  #searchFrom(plan: SearchPlan, fetch: number): SearchHit[] {
    const faissIndex = this.#faissIndex();
    for (;;) {
      const { labels, distances } = faissIndex.search(Array.from(plan.normalized), fetch);
      const hits = this.#topOfFetched(plan, labels, 0, distances[fetch - 1] as number, fetch);
      if (hits) return hits;
      fetch = Math.min(this.#faissRows, fetch * 2);
    }
  }

  #topOfFetched(plan: SearchPlan, labels: readonly number[], from: number, boundary: number, fetch: number): SearchHit[] | undefined {
    return topOfFetched(this.#store, plan, { labels, from, boundary, fetch, faissRows: this.#faissRows, scoreSlack: this.#scoreSlack });
  }

  /**
   * Does the slow work writes put off: training once enough vectors have arrived (in a worker
   * thread), adding queued rows to FAISS, compacting a Flat index's tombstones, and rebuilding
   * other types without theirs. Long steps yield to the event loop between slices, and search
   * and writes keep working meanwhile. Cheap when there is nothing to do; concurrent calls share
   * one run.
   */
  maintain(): Promise<void> {
    this.#maintenance ??= this.#maintainUntilIdle().finally(() => {
      this.#maintenance = undefined;
    });
    return this.#maintenance;
  }

  serialize(): Buffer {
    const { ids, vectors } = this.#store.exportRows();
    return encodeSnapshot({
      dimension: this.dimension,
      factory: this.factory,
      nprobe: this.#nprobe ?? null,
      trainSize: this.#trainSize,
      candidates: this.#candidates,
      faissRows: this.#faissRows,
      ids,
      vectors,
      faiss: this.#faiss?.toBuffer() ?? Buffer.alloc(0),
      template: this.#template ?? Buffer.alloc(0),
    });
  }

  /** Restores what `serialize` wrote; throws IndexSnapshotError if the bytes do not hold one. */
  static deserialize(bytes: Buffer): FaissVectorIndex {
    const content = decodeSnapshot(bytes);
    let index: FaissVectorIndex;
    try {
      index = new FaissVectorIndex({
        dimension: content.dimension,
        factory: content.factory,
        trainSize: content.trainSize,
        candidates: content.candidates,
        ...(content.nprobe === null ? {} : { nprobe: content.nprobe }),
      });
    } catch (error) {
      throw new IndexSnapshotError(`snapshot settings are invalid: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const trained = !index.#spec.needsTraining || content.template.length > 0;
    if (!trained && content.faissRows > 0) throw new IndexSnapshotError('snapshot has rows in an untrained index');
    if (content.faiss.length > 0) {
      const restored = faiss.Index.fromBuffer(content.faiss);
      if (restored.getDimension() !== content.dimension || restored.ntotal() !== content.faissRows) {
        throw new IndexSnapshotError(`snapshot's FAISS index holds ${restored.ntotal()} × ${restored.getDimension()}-d vectors, expected ${content.faissRows} × ${content.dimension}`);
      }
      index.#faiss = restored;
    } else if (content.faissRows > 0 || trained) {
      throw new IndexSnapshotError('snapshot lacks its FAISS index');
    }
    if (content.template.length > 0) index.#template = content.template;
    index.#store = VectorStore.fromRows(content.dimension, content.ids, content.vectors);
    index.#faissRows = content.faissRows;
    index.#dead = content.ids.slice(0, content.faissRows).filter((id) => id === null).length;
    return index;
  }

  async #maintainUntilIdle(): Promise<void> {
    for (;;) {
      const rows = this.#faissRows;
      if (this.#faiss === undefined) {
        if (this.#store.live < this.#trainSize) return;
        await this.#rebuild();
      } else if (this.#spec.canCompact && this.#dead > 0 && this.#dead >= rows * COMPACT_DEAD_FRACTION) {
        this.#compact();
      } else if (!this.#spec.canCompact && this.#dead > 0 && this.#dead >= rows * REBUILD_DEAD_FRACTION) {
        await this.#rebuild();
      } else if (this.#faissRows < this.#store.rows) {
        await this.#addQueued();
      } else {
        return;
      }
    }
  }

  /** Adds the queued rows to the current FAISS index, a slice at a time. */
  async #addQueued(): Promise<void> {
    const sliceRows = Math.max(1, Math.floor(ADD_SLICE_VALUES / this.dimension));
    const target = this.#faiss;
    while (target !== undefined && this.#faiss === target && this.#faissRows < this.#store.rows) {
      const from = this.#faissRows;
      const to = Math.min(this.#store.rows, from + sliceRows);
      target.add(Array.from(this.#store.rowsView(from, to)));
      for (let row = from; row < to; row++) if (this.#store.idAt(row) === null) this.#dead++;
      this.#faissRows = to;
      await yieldToEventLoop();
    }
  }

  /** Flat only: one removeIds call and the matching compaction of the store. */
  #compact(): void {
    const labels: number[] = [];
    for (let row = 0; row < this.#faissRows; row++) if (this.#store.idAt(row) === null) labels.push(row);
    const removed = (this.#faiss as Index).removeIds(labels);
    if (removed !== labels.length) throw new Error(`faiss removed ${removed} of ${labels.length} tombstoned vectors`);
    this.#store.compact();
    this.#faissRows -= labels.length;
    this.#dead = 0;
  }

  /**
   * Builds a fresh FAISS index from the live rows (training it first if it never was) while
   * the current one keeps serving, then swaps. Rows written meanwhile join the new store as
   * queued rows, and removals made meanwhile become its tombstones.
   */
  async #rebuild(): Promise<void> {
    const d = this.dimension;
    const old = this.#store;
    const snapshotRows = old.rows;
    const liveRows: number[] = [];
    for (let row = 0; row < snapshotRows; row++) if (old.idAt(row) !== null) liveRows.push(row);
    const vectors = new Float32Array(liveRows.length * d);
    liveRows.forEach((row, i) => vectors.set(old.rowsView(row, row + 1), i * d));

    const next = await this.#emptyTrainedIndex(vectors);
    const sliceRows = Math.max(1, Math.floor(ADD_SLICE_VALUES / d));
    for (let from = 0; from < liveRows.length; from += sliceRows) {
      next.add(Array.from(vectors.subarray(from * d, Math.min(liveRows.length, from + sliceRows) * d)));
      await yieldToEventLoop();
    }

    // From here on no await: the swap must see one consistent state.
    const current = this.#store;
    const store = VectorStore.fromRows(d, liveRows.map((row) => current.idAt(row)), vectors);
    for (let row = snapshotRows; row < current.rows; row++) {
      const id = current.idAt(row);
      if (id !== null) store.append(id, current.rowsView(row, row + 1));
    }
    this.#store = store;
    this.#faiss = next;
    this.#faissRows = liveRows.length;
    this.#dead = liveRows.reduce((dead, row) => dead + (current.idAt(row) === null ? 1 : 0), 0);
  }

  async #emptyTrainedIndex(vectors: Float32Array): Promise<Index> {
    if (!this.#spec.needsTraining) return createFaissIndex(this.dimension, this.factory);
    if (this.#template === undefined) {
      const trainRows = Math.min(this.#trainSize, vectors.length / this.dimension);
      const trained = await trainInWorker(this.dimension, this.factory, vectors.slice(0, trainRows * this.dimension));
      this.#template = this.#nprobe === undefined ? trained : withNprobe(trained, this.#spec, this.#nprobe);
    }
    return faiss.Index.fromBuffer(this.#template);
  }

  #countRemoval(row: number | undefined): void {
    if (row !== undefined && row < this.#faissRows) this.#dead++;
  }

  #countLive(ids: ReadonlySet<string>): number {
    let live = 0;
    for (const id of ids) if (this.has(id)) live++;
    return live;
  }
}

function assertValidId(id: string): void {
  if (typeof id !== 'string' || id.length === 0) throw new InvalidVectorIdError(id);
}

function assertK(k: number): void {
  if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`k must be a non-negative integer, got ${k}`);
}
