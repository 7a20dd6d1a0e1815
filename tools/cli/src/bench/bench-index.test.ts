import { describe, expect, it } from 'vitest';
import { runBenchIndex } from './bench-index.js';

describe('runBenchIndex', () => {
  it('reports every figure, with exact recall for Flat and null freshness when not measured', async () => {
    const report = await runBenchIndex({ n: 500, dim: 16, index: 'Flat', queries: 20, recall: true });
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['n', 'dim', 'addPerSec', 'searchP50Ms', 'searchP99Ms', 'rawSearchP50Ms', 'wrapperVsRaw', 'snapshotSec', 'snapshotBytes', 'restoreSec', 'freshnessP99Ms']));
    expect(report).toMatchObject({ n: 500, dim: 16, index: 'Flat', data: 'random', freshnessP99Ms: null, recall: { k: 10, raw: 1, wrapper: 1 } });
    expect(report.searchP99Ms).toBeGreaterThanOrEqual(report.searchP50Ms);
    // Ids, 500 × 16 float32 vectors and FAISS's own copy of them.
    expect(report.snapshotBytes).toBeGreaterThan(2 * 500 * 16 * 4);
  });

  it('passes through the pipeline freshness when a measurement is given', async () => {
    const report = await runBenchIndex({ n: 300, dim: 8, index: 'HNSW32', data: 'clustered', queries: 10, measureFreshness: () => Promise.resolve(123) });
    expect(report.freshnessP99Ms).toBe(123);
    expect(report.n).toBe(300);
  });
});
