import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogTexts } from './catalog-texts.js';
import { generateT5Fixture, type GeneratedT5Fixture } from './generate-fixture.js';
import { referenceT5Encode, relativePositionBucket } from './reference-encode.js';

let root: string;
const fixtures: Record<'relu' | 'gated-gelu', GeneratedT5Fixture | undefined> = { relu: undefined, 'gated-gelu': undefined };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 't5-equivalence-'));
  const texts = await catalogTexts();
  fixtures.relu = await generateT5Fixture({ size: 'tiny', outDir: join(root, 'relu'), vocabularyTexts: texts });
  fixtures['gated-gelu'] = await generateT5Fixture({ size: 'tiny', feedForward: 'gated-gelu', outDir: join(root, 'gated'), vocabularyTexts: texts });
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Deterministic ids of a given length ending in </s> (1), then padding (0) up to `padTo`. */
function sequence(length: number, padTo: number, salt: number, vocab: number): { ids: number[]; mask: number[] } {
  const ids: number[] = [];
  for (let i = 0; i < length - 1; i++) ids.push(3 + ((i * 7919 + salt * 104_729) % (vocab - 3)));
  ids.push(1);
  const mask = ids.map(() => 1);
  while (ids.length < padTo) {
    ids.push(0);
    mask.push(0);
  }
  return { ids, mask };
}

type OptimizationLevel = 'disabled' | 'all';

async function runOnnx(dir: string, ids: number[][], mask: number[][], level: OptimizationLevel = 'all'): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(join(dir, 'encoder_model.onnx'), {
    intraOpNumThreads: 1,
    logSeverityLevel: 3,
    graphOptimizationLevel: level,
  });
  try {
    const dims = [ids.length, ids[0]!.length];
    const toTensor = (rows: number[][]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), dims);
    const out = await session.run({ input_ids: toTensor(ids), attention_mask: toTensor(mask) });
    const hidden = out.last_hidden_state!;
    expect(hidden.dims).toEqual([...dims, 32]);
    return hidden.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('relativePositionBucket (reference)', () => {
  it('matches values of transformers._relative_position_bucket(bidirectional, 32, 128)', () => {
    const cases: [number, number][] = [
      [0, 0], [-1, 1], [1, 17], [-7, 7], [7, 23], [-8, 8], [-12, 9], [-16, 10], [-32, 12], [-64, 14],
      [-127, 15], [-128, 15], [-1000, 15], [8, 24], [128, 31], [5000, 31],
    ];
    for (const [relative, bucket] of cases) expect(relativePositionBucket(relative, 32, 128), String(relative)).toBe(bucket);
  });
});

describe.each(['relu', 'gated-gelu'] as const)('tiny %s fixture: onnxruntime vs the pure-TypeScript reference', (variant) => {
  // 'disabled' checks the graph as written; 'all' checks it after onnxruntime's fusions.
  it.each(['disabled', 'all'] as const)('agrees to 1e-4 on a padded batch, padding positions included (optimisation %s)', async (level) => {
    const fixture = fixtures[variant]!;
    const vocab = fixture.config.vocab_size;
    // Lengths span the exact buckets (<8), the log buckets and beyond max_distance (128).
    const rows = [sequence(140, 140, 1, vocab), sequence(23, 140, 2, vocab), sequence(1, 140, 3, vocab), sequence(9, 140, 4, vocab)];
    const ids = rows.map((r) => r.ids);
    const mask = rows.map((r) => r.mask);
    const actual = await runOnnx(fixture.dir, ids, mask, level);
    const expected = await referenceT5Encode(fixture.dir, ids, mask);
    let maxError = 0;
    let maxValue = 0;
    expected.forEach((positions, b) =>
      positions.forEach((vector, s) =>
        vector.forEach((value, c) => {
          const got = actual[(b * 140 + s) * 32 + c]!;
          maxError = Math.max(maxError, Math.abs(got - value));
          maxValue = Math.max(maxValue, Math.abs(value));
        }),
      ),
    );
    expect(maxError).toBeLessThanOrEqual(1e-4);
    // Guards against a vacuous pass (e.g. everything zero).
    expect(maxValue).toBeGreaterThan(0.5);
  }, 30_000);

  it('gives different outputs when only a token order changes (position bias is live)', async () => {
    const fixture = fixtures[variant]!;
    const a = await runOnnx(fixture.dir, [[10, 11, 12, 1]], [[1, 1, 1, 1]]);
    const b = await runOnnx(fixture.dir, [[12, 11, 10, 1]], [[1, 1, 1, 1]]);
    // Position 1 holds token 11 in both; only the relative positions of its neighbours differ.
    const diff = Math.max(...Array.from({ length: 32 }, (_, c) => Math.abs(a[32 + c]! - b[32 + c]!)));
    expect(diff).toBeGreaterThan(1e-3);
  });
});

describe('generateT5Fixture', () => {
  it('is deterministic: same options, same bytes', async () => {
    const again = await generateT5Fixture({ size: 'tiny', outDir: join(root, 'relu-again'), vocabularyTexts: await catalogTexts() });
    expect(again.manifest.files).toEqual(fixtures.relu!.manifest.files);
    expect(again.manifest.id).toBe('t5-tiny-fixture');
    expect(fixtures['gated-gelu']!.manifest.id).toBe('t5-tiny-gated-fixture');
    expect(Object.keys(again.manifest.files).sort()).toEqual(['config.json', 'encoder_model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
  });
});
