import './openmp-threads.js';
import faiss from 'faiss-node';
import type { Index } from 'faiss-node';

/** What the wrapper needs to know about a FAISS factory string before building anything. */
export interface FactorySpec {
  readonly factory: string;
  /**
   * Only a bare Flat index can remove: removeIds on it shifts later labels down, which the
   * store's compaction mirrors. HNSW aborts the process on removeIds, and IVF removes but then
   * reuses labels (ntotal shrinks and the next add takes label ntotal), so both use tombstones.
   */
  readonly canCompact: boolean;
  readonly needsTraining: boolean;
  /** Inverted lists in an IVF index; nprobe can only be set where this is known. */
  readonly nlist: number | undefined;
}

/** FAISS warns below 39 training points per centroid; PQ trains 256 centroids per sub-quantizer. */
const POINTS_PER_CENTROID = 39;

export function parseFactory(dimension: number, factory: string): FactorySpec {
  const trimmed = factory.trim();
  // faiss-node has no add_with_ids, so an IDMap would reject every add.
  if (/IDMap/i.test(trimmed)) throw new RangeError(`factory string ${JSON.stringify(factory)}: IDMap is not supported (faiss-node cannot add with ids; the wrapper maps ids itself)`);
  const probe = createFaissIndex(dimension, trimmed);
  const ivf = /^IVF(\d+)/.exec(trimmed);
  return {
    factory: trimmed,
    canCompact: trimmed === 'Flat',
    needsTraining: !probe.isTrained(),
    nlist: ivf ? Number(ivf[1]) : undefined,
  };
}

/** Enough points to train every quantizer in the string without FAISS's warning. */
export function defaultTrainSize(spec: FactorySpec): number {
  const pq = /PQ(\d+)/.test(spec.factory) ? 256 : 0;
  return POINTS_PER_CENTROID * Math.max(spec.nlist ?? 0, pq, 1);
}

/** Inner product on L2-normalised vectors is cosine. */
export function createFaissIndex(dimension: number, factory: string): Index {
  try {
    return faiss.Index.fromFactory(dimension, factory, faiss.MetricType.METRIC_INNER_PRODUCT);
  } catch (error) {
    throw new RangeError(`invalid FAISS factory string ${JSON.stringify(factory)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/*
 * faiss-node exposes neither ParameterSpace nor IndexIVF, so nprobe stays at 1; but
 * read_index takes nprobe from the serialised IVF header, so the wrapper sets it in the bytes.
 * Layout (faiss/impl/index_write.cpp, 1.7.x): fourcc (4), d (i32), ntotal (i64), two dummies
 * (i64 each), is_trained (u8), metric_type (i32) — no metric_arg for inner product — then the
 * IVF header: nlist (u64), nprobe (u64).
 */
const NLIST_OFFSET = 37;
const NPROBE_OFFSET = 45;

/** Returns a copy of an IVF index's bytes with nprobe set; checks the layout before writing. */
export function withNprobe(bytes: Buffer, spec: FactorySpec, nprobe: number): Buffer {
  const nlist = validateNprobe(spec, nprobe);
  const fourcc = bytes.subarray(0, 4).toString('latin1');
  if (!fourcc.startsWith('Iw') || bytes.length < NPROBE_OFFSET + 8 || bytes.readBigUInt64LE(NLIST_OFFSET) !== BigInt(nlist)) {
    throw new Error(`unexpected serialised layout for ${JSON.stringify(spec.factory)} (fourcc ${JSON.stringify(fourcc)}): cannot set nprobe`);
  }
  const copy = Buffer.from(bytes);
  copy.writeBigUInt64LE(BigInt(nprobe), NPROBE_OFFSET);
  return copy;
}

/** Returns nlist. */
export function validateNprobe(spec: FactorySpec, nprobe: number): number {
  const nlist = spec.nlist;
  if (nlist === undefined) throw new RangeError(`nprobe applies to IVF indexes only, not ${JSON.stringify(spec.factory)}`);
  if (!Number.isSafeInteger(nprobe) || nprobe < 1 || nprobe > nlist) throw new RangeError(`nprobe must be an integer in 1..${nlist}, got ${nprobe}`);
  return nlist;
}
