import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODER_REGISTRY, loadEncoder, resolveEncoderSpec, WORD_VECTOR_ENCODER_ID } from '../index.js';
import { catalogTexts } from './catalog-texts.js';
import { materializeFixture } from './registry.js';
import type { T5Encoder } from './t5-encoder.js';

let modelsDir: string;
beforeAll(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 't5-registry-'));
});
afterAll(async () => {
  await rm(modelsDir, { recursive: true, force: true });
});

describe('encoder registry', () => {
  it('knows every named encoder with its dimension and pooling', () => {
    const summary = Object.fromEntries(Object.values(ENCODER_REGISTRY).map((s) => [s.id, [s.dimension, s.pooling, s.projection]]));
    expect(summary).toEqual({
      'wink-glove-100d': [100, 'sif', false],
      't5-base': [768, 'mean', false],
      't5-large': [1024, 'mean', false],
      't5-xl': [2048, 'mean', false],
      'sentence-t5-base': [768, 'mean', true],
      'gtr-t5-base': [768, 'mean', true],
      't5-tiny-fixture': [32, 'mean', false],
      't5-base-fixture': [768, 'mean', false],
    });
    expect(resolveEncoderSpec(WORD_VECTOR_ENCODER_ID).id).toBe('wink-glove-100d');
    expect(() => resolveEncoderSpec('bert-base')).toThrow(/unknown encoder "bert-base"; known: wink-glove-100d, t5-base/);
    expect(() => resolveEncoderSpec('toString')).toThrow(/unknown encoder/);
  });

  it('explains how to export a real model instead of downloading it', async () => {
    const error = (await loadEncoder('t5-base', { modelsDir }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('optimum-cli export onnx --model google-t5/t5-base ');
    expect(error.message).toContain(join(modelsDir, 't5-base'));
    expect(error.message).toMatch(/encoder_model\.onnx.*config\.json.*tokenizer\.json/s);
    const st5 = (await loadEncoder('sentence-t5-base', { modelsDir }).catch((e: unknown) => e)) as Error;
    expect(st5.message).toContain('projection.json');
  });

  it('needs a models directory for T5 encoders', async () => {
    await expect(loadEncoder('t5-tiny-fixture')).rejects.toThrow(/COLDSTART_MODELS_DIR/);
  });

  it('generates the tiny fixture on first use and reuses it after', async () => {
    const [a, b] = (await Promise.all([loadEncoder('t5-tiny-fixture', { modelsDir }), loadEncoder('t5-tiny-fixture', { modelsDir })])) as T5Encoder[];
    try {
      expect(a!.id).toBe('t5-tiny-fixture');
      expect(a!.dimension).toBe(32);
      expect(a!.dir).toBe(join(modelsDir, 't5-tiny-fixture'));
      const [va] = await a!.encode(['Dune by Frank Herbert']);
      const [vb] = await b!.encode(['Dune by Frank Herbert']);
      expect(va).toEqual(vb);
      // Only the final directory is left: no temporary directories.
      expect(await readdir(modelsDir)).toEqual(['t5-tiny-fixture']);
    } finally {
      await Promise.all([a?.close(), b?.close()]);
    }
  }, 30_000);

  it('lets racing generators (as two processes would) end with one identical fixture', async () => {
    const dir = join(modelsDir, 'race');
    await mkdir(dir);
    const texts = async (): Promise<string[]> => catalogTexts();
    const results = await Promise.all([
      materializeFixture(dir, 't5-tiny-fixture', 'tiny', texts),
      materializeFixture(dir, 't5-tiny-fixture', 'tiny', texts),
      materializeFixture(dir, 't5-tiny-fixture', 'tiny', texts),
    ]);
    expect(new Set(results)).toEqual(new Set([join(dir, 't5-tiny-fixture')]));
    expect(await readdir(dir)).toEqual(['t5-tiny-fixture']);
    const original = await readFile(join(modelsDir, 't5-tiny-fixture', 'coldstart-encoder.json'), 'utf8');
    expect(await readFile(join(dir, 't5-tiny-fixture', 'coldstart-encoder.json'), 'utf8')).toBe(original);
  }, 30_000);

  it('loads the word-vector encoder by its registry id', async () => {
    const encoder = await loadEncoder('wink-glove-100d');
    expect(encoder.id).toBe(WORD_VECTOR_ENCODER_ID);
    expect(encoder.dimension).toBe(100);
  }, 120_000);
});
