import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODER_REGISTRY, loadEncoder, resolveEncoderSpec, WORD_VECTOR_ENCODER_ID } from '../index.js';

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

  it('loads a fixture only once the development tools generated it, and says how', async () => {
    const error = (await loadEncoder('t5-tiny-fixture', { modelsDir }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(join(modelsDir, 't5-tiny-fixture'));
    expect(error.message).toContain('@coldstart/t5-fixtures');
  });

  it('loads the word-vector encoder by its registry id', async () => {
    const encoder = await loadEncoder('wink-glove-100d');
    expect(encoder.id).toBe(WORD_VECTOR_ENCODER_ID);
    expect(encoder.dimension).toBe(100);
  }, 120_000);
});
