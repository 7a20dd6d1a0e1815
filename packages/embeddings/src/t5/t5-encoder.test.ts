import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogTexts, generateT5Fixture, referenceT5Encode } from '@coldstart/t5-fixtures';
import { EmptyTextError } from '../encoder.js';
import { readProjection } from './projection.js';
import { loadT5Encoder, type T5Encoder } from './t5-encoder.js';

let root: string;
let texts: string[];
let encoder: T5Encoder;
let gated: T5Encoder;
let projected: T5Encoder;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 't5-encoder-'));
  texts = await catalogTexts();
  await generateT5Fixture({ size: 'tiny', outDir: join(root, 'relu'), vocabularyTexts: texts });
  await generateT5Fixture({ size: 'tiny', feedForward: 'gated-gelu', outDir: join(root, 'gated'), vocabularyTexts: texts });
  await generateT5Fixture({ size: 'tiny', outDir: join(root, 'projected'), vocabularyTexts: texts, projectionDimension: 16, id: 't5-tiny-projected' });
  encoder = await loadT5Encoder({ id: 't5-tiny-fixture', source: { dir: join(root, 'relu') }, intraOpThreads: 1 });
  gated = await loadT5Encoder({ id: 't5-tiny-gated-fixture', source: { dir: join(root, 'gated') }, intraOpThreads: 1 });
  projected = await loadT5Encoder({ id: 't5-tiny-projected', source: { dir: join(root, 'projected') }, intraOpThreads: 1 });
}, 60_000);

afterAll(async () => {
  await Promise.all([encoder?.close(), gated?.close(), projected?.close()]);
  await rm(root, { recursive: true, force: true });
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function norm(v: Float32Array | Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** Reference pipeline: float64 hidden states → mean over real tokens → optional projection → L2. */
async function referenceVector(dir: string, ids: number[], project?: { weights: Float32Array; inputDimension: number; outputDimension: number }): Promise<Float64Array> {
  const [hidden] = await referenceT5Encode(dir, [ids], [ids.map(() => 1)]);
  const d = hidden![0]!.length;
  let pooled = new Float64Array(d);
  for (const h of hidden!) h.forEach((x, c) => (pooled[c]! += x / ids.length));
  if (project) {
    const y = new Float64Array(project.outputDimension);
    for (let o = 0; o < project.outputDimension; o++) {
      for (let i = 0; i < project.inputDimension; i++) y[o]! += project.weights[o * project.inputDimension + i]! * pooled[i]!;
    }
    pooled = y;
  }
  const n = norm(pooled);
  return pooled.map((x) => x / n);
}

describe('loadT5Encoder on the tiny fixture', () => {
  it('describes itself', () => {
    expect(encoder.id).toBe('t5-tiny-fixture');
    expect(encoder.dimension).toBe(32);
    expect(projected.dimension).toBe(16);
    expect(encoder.config.feed_forward_proj).toBe('relu');
    expect(gated.config.feed_forward_proj).toBe('gated-gelu');
  });

  it.each([['relu'], ['gated']] as const)('%s: mean pooling + L2 matches the reference pipeline to 1e-4', async (variant) => {
    const enc = variant === 'relu' ? encoder : gated;
    const batch = texts.slice(0, 3);
    const vectors = await enc.encode(batch);
    for (let i = 0; i < batch.length; i++) {
      const expected = await referenceVector(join(root, variant), enc.tokenize(batch[i]!));
      expect(maxAbsDiff(vectors[i]!, Float32Array.from(expected))).toBeLessThanOrEqual(1e-4);
    }
  });

  it('applies the projection after pooling, then normalises', async () => {
    const projection = (await readProjection(join(root, 'projected')))!;
    expect(projection.outputDimension).toBe(16);
    const [v] = await projected.encode([texts[5]!]);
    const expected = await referenceVector(join(root, 'projected'), projected.tokenize(texts[5]!), projection);
    expect(maxAbsDiff(v!, Float32Array.from(expected))).toBeLessThanOrEqual(1e-4);
    const [unprojected] = await encoder.encode([texts[5]!]);
    expect(unprojected).toHaveLength(32);
  });

  it('returns unit-length float32 vectors', async () => {
    const vectors = await encoder.encode(texts.slice(0, 50));
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it('gives a text the same vector alone and padded inside a batch', async () => {
    const short = 'Dune';
    const [alone] = await encoder.encode([short]);
    const batch = await encoder.encode([texts[0]!, short, texts[1]!]);
    expect(encoder.tokenize(texts[0]!).length).toBeGreaterThan(encoder.tokenize(short).length + 10);
    expect(maxAbsDiff(alone!, batch[1]!)).toBeLessThanOrEqual(1e-5);
  });

  it('encodes a batch of 32 exactly like 32 single runs, in input order', async () => {
    const batch = texts.slice(100, 132);
    const together = await encoder.encode(batch);
    for (let i = 0; i < batch.length; i++) {
      const [single] = await encoder.encode([batch[i]!]);
      expect(maxAbsDiff(together[i]!, single!), String(i)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('splits a batch over the token budget into runs with the same results', async () => {
    const small = await loadT5Encoder({ id: 't5-tiny-fixture', source: { dir: join(root, 'relu') }, tokenBudget: 64, intraOpThreads: 1 });
    try {
      const batch = texts.slice(200, 240);
      const [split, whole] = await Promise.all([small.encode(batch), encoder.encode(batch)]);
      for (let i = 0; i < batch.length; i++) expect(maxAbsDiff(split[i]!, whole[i]!)).toBeLessThanOrEqual(1e-5);
      // A text longer than the budget still runs, alone.
      const long = texts.slice(0, 5).join(' ');
      expect(small.tokenize(long).length).toBeGreaterThan(64);
      const [a] = await small.encode([long]);
      const [b] = await encoder.encode([long]);
      expect(maxAbsDiff(a!, b!)).toBeLessThanOrEqual(1e-5);
    } finally {
      await small.close();
    }
  });

  it('truncates to maxTokens and keeps </s> last', async () => {
    const short = await loadT5Encoder({ id: 't5-tiny-fixture', source: { dir: join(root, 'relu') }, maxTokens: 8, intraOpThreads: 1 });
    try {
      const full = encoder.tokenize(texts[0]!);
      const cut = short.tokenize(texts[0]!);
      expect(full.length).toBeGreaterThan(8);
      expect(full.at(-1)).toBe(1);
      expect(cut).toEqual([...full.slice(0, 7), 1]);
      expect(short.tokenize('Dune')).toEqual(encoder.tokenize('Dune'));
      // The vector is that of the truncated ids.
      const [v] = await short.encode([texts[0]!]);
      const expected = await referenceVector(join(root, 'relu'), cut);
      expect(maxAbsDiff(v!, Float32Array.from(expected))).toBeLessThanOrEqual(1e-4);
    } finally {
      await short.close();
    }
  });

  it('rejects empty and blank texts with EmptyTextError, and non-strings with TypeError', async () => {
    for (const text of ['', '   ', '\n\t']) await expect(encoder.encode(['Dune', text])).rejects.toThrow(EmptyTextError);
    await expect(encoder.encode([42 as unknown as string])).rejects.toThrow(TypeError);
  });

  it('distinguishes texts and is deterministic', async () => {
    const [a, b, a2] = await encoder.encode(['Dune by Frank Herbert', 'Pride and Prejudice', 'Dune by Frank Herbert']);
    expect(a).toEqual(a2);
    expect(maxAbsDiff(a!, b!)).toBeGreaterThan(1e-2);
  });

  it('honours an aborted signal, and stops between runs', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(encoder.encode(['Dune'], controller.signal)).rejects.toThrow('shutting down');

    const small = await loadT5Encoder({ id: 't5-tiny-fixture', source: { dir: join(root, 'relu') }, tokenBudget: 32, intraOpThreads: 1 });
    try {
      const later = new AbortController();
      const pending = small.encode(texts.slice(0, 200), later.signal);
      later.abort(new Error('shutting down'));
      await expect(pending).rejects.toThrow('shutting down');
    } finally {
      await small.close();
    }
  });
});
