import { Option, type Command } from 'commander';
import faiss from 'faiss-node';
import type { Index } from 'faiss-node';
import { loadWordVectorEncoder } from '@coldstart/embeddings';
import { catalogTexts } from '@coldstart/t5-fixtures';
import { deserializeVectorIndex, FaissVectorIndex } from '@coldstart/vector-index';
import { mulberry32, percentile } from '@coldstart/runtime';
import { positiveIntOption } from '@coldstart/ops';
import type { CliConfig } from '../config.js';
import { measurePipelineFreshness } from './bench-freshness.js';

export type BenchIndexData = 'random' | 'clustered' | 'catalog';

export interface BenchIndexOptions {
  n: number;
  dim: number;
  /** FAISS factory string. */
  index: string;
  data?: BenchIndexData;
  queries?: number;
  k?: number;
  seed?: number;
  nprobe?: number;
  candidates?: number;
  /** Vectors both indexes train on before they index (IVF/PQ); default 39 × nlist, capped at n. */
  trainSize?: number;
  /** Also build an exact index and report recall@k of raw faiss-node and of the wrapper. */
  recall?: boolean;
  /** The whole pipeline's write-to-searchable latency (p99 ms); not this package's to measure. */
  measureFreshness?: () => Promise<number>;
}

export interface BenchIndexReport {
  n: number;
  dim: number;
  index: string;
  data: BenchIndexData;
  addPerSec: number;
  searchP50Ms: number;
  searchP99Ms: number;
  rawSearchP50Ms: number;
  /** Our p50 over raw faiss-node's, same index contents and queries, interleaved. */
  wrapperVsRaw: number;
  snapshotSec: number;
  snapshotBytes: number;
  restoreSec: number;
  freshnessP99Ms: number | null;
  /** Resident set size after building both indexes (ours keeps a second copy of the vectors). */
  rssBytes: number;
  recall?: { k: number; raw: number; wrapper: number };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function normalizeRows(rows: Float32Array, dim: number): Float32Array {
  for (let r = 0; r < rows.length / dim; r++) {
    let squared = 0;
    for (let i = r * dim; i < (r + 1) * dim; i++) squared += (rows[i] as number) ** 2;
    const norm = Math.sqrt(squared);
    for (let i = r * dim; i < (r + 1) * dim; i++) rows[i] = (rows[i] as number) / norm;
  }
  return rows;
}

/** Uniform on the sphere: the hardest case for approximate search (no structure to exploit). */
function randomUnitVectors(random: () => number, count: number, dim: number): Float32Array {
  return normalizeRows(Float32Array.from({ length: count * dim }, () => gaussian(random)), dim);
}

/**
 * 1000 gaussian clusters (spread 0.6 of the centre's norm per dimension, summed), closer to
 * how text embeddings fill the space; queries come from the same clusters.
 */
function clusteredVectors(random: () => number, count: number, dim: number): Float32Array {
  const centres = randomUnitVectors(random, 1000, dim);
  const spread = 0.6 / Math.sqrt(dim);
  const out = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    const c = Math.floor(random() * 1000);
    for (let i = 0; i < dim; i++) out[r * dim + i] = (centres[c * dim + i] as number) + spread * gaussian(random);
  }
  return normalizeRows(out, dim);
}

/** The catalog's item texts through the word-vector encoder; held-out items are the queries. */
async function catalogVectors(random: () => number, queries: number): Promise<{ vectors: Float32Array; dim: number }> {
  const encoder = await loadWordVectorEncoder();
  const rows: Float32Array[] = [];
  for (const text of await catalogTexts()) {
    const [vector] = await encoder.encode([text]).catch(() => [undefined]);
    if (vector) rows.push(vector);
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j] as Float32Array, rows[i] as Float32Array];
  }
  if (rows.length <= queries) throw new Error(`only ${rows.length} catalog vectors for ${queries} queries`);
  const vectors = new Float32Array(rows.length * encoder.dimension);
  rows.forEach((row, i) => vectors.set(row, i * encoder.dimension));
  return { vectors: normalizeRows(vectors, encoder.dimension), dim: encoder.dimension };
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
const row = (vectors: Float32Array, dim: number, r: number) => vectors.subarray(r * dim, (r + 1) * dim);

function rawIndex(factory: string, dim: number, vectors: Float32Array, count: number, trainSize: number): Index {
  const index = factory === 'Flat' ? new faiss.IndexFlatIP(dim) : faiss.Index.fromFactory(dim, factory, faiss.MetricType.METRIC_INNER_PRODUCT);
  if (!index.isTrained()) index.train(Array.from(vectors.subarray(0, Math.min(count, trainSize) * dim)));
  const slice = Math.max(1, Math.floor((1 << 20) / dim));
  for (let from = 0; from < count; from += slice) index.add(Array.from(vectors.subarray(from * dim, Math.min(count, from + slice) * dim)));
  return index;
}

/**
 * `coldstart bench index`: builds our index and raw faiss-node's from the same vectors, then
 * times the same queries on both, interleaved so drift hits both alike; snapshots and restores
 * ours in memory. Optionally compares both with exact search for recall@k.
 */
export async function runBenchIndex(options: BenchIndexOptions): Promise<BenchIndexReport> {
  const data = options.data ?? 'random';
  const queryCount = options.queries ?? 200;
  const k = options.k ?? 10;
  // Seeded, so runs compare.
  const random = mulberry32(options.seed ?? 42);
  let dim = options.dim;
  let all: Float32Array;
  if (data === 'catalog') ({ vectors: all, dim } = await catalogVectors(random, queryCount));
  else all = (data === 'clustered' ? clusteredVectors : randomUnitVectors)(random, options.n + queryCount, dim);
  const n = data === 'catalog' ? all.length / dim - queryCount : options.n;
  const queries = Array.from({ length: queryCount }, (_, q) => row(all, dim, n + q));

  const ours = new FaissVectorIndex({
    dimension: dim,
    factory: options.index,
    ...(options.nprobe === undefined ? {} : { nprobe: options.nprobe }),
    ...(options.candidates === undefined ? {} : { candidates: options.candidates }),
    ...(options.trainSize === undefined ? {} : { trainSize: options.trainSize }),
  });
  const trainSize = Math.min(n, options.trainSize ?? (options.index.startsWith('IVF') ? 39 * Number(/^IVF(\d+)/.exec(options.index)?.[1] ?? 1) : n));
  let started = performance.now();
  for (let r = 0; r < n; r++) ours.upsert(`item-${r}`, row(all, dim, r));
  await ours.maintain();
  const addPerSec = n / ((performance.now() - started) / 1000);

  const raw = rawIndex(options.index, dim, all, n, trainSize);
  const ourTimes: number[] = [];
  const rawTimes: number[] = [];
  for (const [i, query] of [queries[0] as Float32Array, ...queries].entries()) {
    const timeOurs = () => {
      const t0 = performance.now();
      ours.search(query, k);
      return performance.now() - t0;
    };
    const timeRaw = () => {
      const t0 = performance.now();
      raw.search(Array.from(query), k);
      return performance.now() - t0;
    };
    // The first query warms both up and is not counted.
    // Alternating which goes first keeps cache effects from favouring either.
    const [o, r] = i % 2 === 0 ? [timeOurs(), timeRaw()] : [timeRaw(), timeOurs()].reverse();
    if (i > 0) {
      ourTimes.push(o as number);
      rawTimes.push(r as number);
    }
  }
  ourTimes.sort((a, b) => a - b);
  rawTimes.sort((a, b) => a - b);
  const rssBytes = process.memoryUsage().rss;

  let recall: BenchIndexReport['recall'];
  if (options.recall) {
    const exact = rawIndex('Flat', dim, all, n, n);
    let rawFound = 0;
    let oursFound = 0;
    for (const query of queries) {
      const truth = new Set(exact.search(Array.from(query), k).labels);
      rawFound += raw.search(Array.from(query), k).labels.filter((label) => truth.has(label)).length;
      oursFound += ours.search(query, k).filter((hit) => truth.has(Number(hit.id.slice('item-'.length)))).length;
    }
    recall = { k, raw: round(rawFound / (k * queryCount)), wrapper: round(oursFound / (k * queryCount)) };
  }

  started = performance.now();
  const snapshot = ours.serialize();
  const snapshotSec = (performance.now() - started) / 1000;
  started = performance.now();
  const restored = deserializeVectorIndex(snapshot);
  const restoreSec = (performance.now() - started) / 1000;
  if (restored.size !== ours.size) throw new Error(`restored ${restored.size} vectors, expected ${ours.size}`);

  const searchP50Ms = percentile(ourTimes, 50) ?? 0;
  const rawSearchP50Ms = percentile(rawTimes, 50) ?? 0;
  return {
    n,
    dim,
    index: options.index,
    data,
    addPerSec: round(addPerSec, 0),
    searchP50Ms: round(searchP50Ms),
    searchP99Ms: round(percentile(ourTimes, 99) ?? 0),
    rawSearchP50Ms: round(rawSearchP50Ms),
    wrapperVsRaw: round(searchP50Ms / rawSearchP50Ms),
    snapshotSec: round(snapshotSec),
    snapshotBytes: snapshot.length,
    restoreSec: round(restoreSec),
    freshnessP99Ms: options.measureFreshness ? await options.measureFreshness() : null,
    rssBytes,
    ...(recall ? { recall } : {}),
  };
}

/** `coldstart bench index`: added to the existing `bench` group. */
export function registerBenchIndexCommand(bench: Command, loadConfig: () => CliConfig): void {
  bench
    .command('index')
    .description('our VectorIndex against raw faiss-node on the same vectors and queries: add rate, search latency, snapshot and restore; optionally recall@k against exact search')
    .option('--n <n>', 'vectors to index', positiveIntOption, 100_000)
    .option('--dim <d>', 'dimension (ignored for --data catalog, which is the encoder\'s)', positiveIntOption, 768)
    .option('--index <factory>', 'FAISS factory string: Flat, HNSW32, IVF1024,Flat, IVF4096,PQ64, …', 'Flat')
    .addOption(new Option('--data <kind>', 'random unit vectors, 1000 gaussian clusters, or the catalog through the word-vector encoder').choices(['random', 'clustered', 'catalog']).default('random'))
    .option('--queries <n>', 'queries timed (and held out of the index)', positiveIntOption, 200)
    .option('--nprobe <n>', 'IVF lists probed by our index (raw faiss-node stays at 1)', positiveIntOption)
    .option('--train-size <n>', 'vectors IVF/PQ indexes train on (ours stays exact brute force until that many arrived; default 39 × nlist)', positiveIntOption)
    .option('--candidates <n>', 'FAISS candidates our index re-ranks exactly (default 0 for Flat, 100 otherwise)', positiveIntOption)
    .option('--seed <n>', 'random seed', positiveIntOption, 42)
    .option('--recall', 'also report recall@10 of raw faiss-node and of our index against exact search')
    .option('--no-freshness', 'skip freshnessP99Ms (it starts a stack of its own: SQS emulator, Redis, ingest, embed and index pools)')
    .option('--freshness-items <n>', 'item events timed from SQS to a searchable replica', positiveIntOption, 200)
    .option('--freshness-rate <per-second>', 'item events published per second while timing', positiveIntOption, 20)
    .option('--json', 'print {"n", "dim", "addPerSec", "searchP50Ms", "searchP99Ms", "rawSearchP50Ms", "wrapperVsRaw", "snapshotSec", "snapshotBytes", "restoreSec", "freshnessP99Ms", …}')
    .action(async (options: {
      n: number;
      dim: number;
      index: string;
      data: BenchIndexData;
      queries: number;
      nprobe?: number;
      candidates?: number;
      trainSize?: number;
      seed: number;
      recall?: boolean;
      freshness: boolean;
      freshnessItems: number;
      freshnessRate: number;
      json?: boolean;
    }) => {
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const measureFreshness = async () => {
        const freshness = await measurePipelineFreshness(
          loadConfig(),
          { warmupItems: 50, items: options.freshnessItems, ratePerSecond: options.freshnessRate, timeoutSeconds: 300 },
          say,
        );
        say(`freshness: p50 ${freshness.p50Ms} ms, p99 ${freshness.p99Ms} ms, max ${freshness.maxMs} ms over ${freshness.items} items at ${freshness.ratePerSecond}/s`);
        return freshness.p99Ms;
      };
      const report = await runBenchIndex({
        n: options.n,
        dim: options.dim,
        index: options.index,
        data: options.data,
        queries: options.queries,
        seed: options.seed,
        recall: options.recall ?? false,
        ...(options.freshness ? { measureFreshness } : {}),
        ...(options.nprobe === undefined ? {} : { nprobe: options.nprobe }),
        ...(options.candidates === undefined ? {} : { candidates: options.candidates }),
        ...(options.trainSize === undefined ? {} : { trainSize: options.trainSize }),
      });
      if (options.json) {
        console.log(JSON.stringify(report));
        return;
      }
      for (const [key, value] of Object.entries(report)) console.log(`${key.padEnd(16)} ${JSON.stringify(value)}`);
    });
}
