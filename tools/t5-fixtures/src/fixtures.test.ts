import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { T5Encoder } from '@coldstart/embeddings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogTexts } from './catalog-texts.js';
import { loadEncoderWithFixtures, materializeFixture } from './fixtures.js';

let modelsDir: string;
beforeAll(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 't5-registry-'));
});
afterAll(async () => {
  await rm(modelsDir, { recursive: true, force: true });
});

describe('fixture encoders', () => {
  it('generates the tiny fixture on first use and reuses it after', async () => {
    const [a, b] = (await Promise.all([loadEncoderWithFixtures('t5-tiny-fixture', { modelsDir }), loadEncoderWithFixtures('t5-tiny-fixture', { modelsDir })])) as T5Encoder[];
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
});
