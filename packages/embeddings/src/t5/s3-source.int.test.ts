import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startS3Emulator, type S3Emulator } from '@coldstart/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogTexts, generateT5Fixture, type GeneratedT5Fixture } from '@coldstart/t5-fixtures';
import { ChecksumMismatchError, loadEncoder, loadT5Encoder, MANIFEST_FILE, type T5Encoder } from '../index.js';

const BUCKET = 'coldstart-models';
let s3: S3Emulator;
let client: S3Client;
let root: string;
let fixture: GeneratedT5Fixture;

async function upload(prefix: string, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [name, body] of Object.entries(files)) {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}${name}`, Body: body }));
  }
}

async function fixtureFiles(): Promise<Record<string, Buffer>> {
  const names = [...Object.keys(fixture.manifest.files), MANIFEST_FILE];
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await readFile(join(fixture.dir, name))] as const)));
}

beforeAll(async () => {
  s3 = await startS3Emulator([BUCKET]);
  client = s3.client;
  root = await mkdtemp(join(tmpdir(), 't5-s3-'));
  fixture = await generateT5Fixture({ size: 'tiny', outDir: join(root, 'source'), vocabularyTexts: await catalogTexts() });
  await upload('models/t5-tiny-fixture/', await fixtureFiles());
});

afterAll(async () => {
  await s3?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('loading a T5 encoder from S3 (fauxqs)', () => {
  it('downloads and verifies on first load, reuses the cache after, and encodes like the local copy', async () => {
    const cacheDir = join(root, 'cache');
    const source = { s3: { bucket: BUCKET, prefix: 'models/t5-tiny-fixture', client, cacheDir } };
    const encoders: T5Encoder[] = [];
    try {
      const first = await loadT5Encoder({ id: 't5-tiny-fixture', source });
      encoders.push(first);
      expect(first.s3!.downloaded.toSorted()).toEqual(Object.keys(fixture.manifest.files).toSorted());
      expect(first.s3!.reused).toEqual([]);
      expect(first.dir).toBe(join(cacheDir, 't5-tiny-fixture'));
      expect((await readdir(first.dir)).toSorted()).toEqual([...Object.keys(fixture.manifest.files), MANIFEST_FILE].toSorted());

      const second = await loadT5Encoder({ id: 't5-tiny-fixture', source });
      encoders.push(second);
      expect(second.s3!.downloaded).toEqual([]);
      expect(second.s3!.reused).toHaveLength(Object.keys(fixture.manifest.files).length);

      // A corrupted cache file is fetched again rather than trusted.
      await writeFile(join(cacheDir, 't5-tiny-fixture', 'tokenizer.json'), '{}');
      const third = await loadT5Encoder({ id: 't5-tiny-fixture', source });
      encoders.push(third);
      expect(third.s3!.downloaded).toEqual(['tokenizer.json']);

      const local = await loadT5Encoder({ id: 't5-tiny-fixture', source: { dir: fixture.dir } });
      encoders.push(local);
      const texts = ['Dune by Frank Herbert', 'Pride and Prejudice by Jane Austen'];
      expect(await third.encode(texts)).toEqual(await local.encode(texts));
    } finally {
      await Promise.all(encoders.map((e) => e.close()));
    }
  });

  it('refuses a file whose bytes do not match the manifest, and leaves nothing behind', async () => {
    const files = await fixtureFiles();
    const model = Buffer.from(files['encoder_model.onnx']!);
    model[model.length >> 1]! ^= 0x01; // one flipped bit in the weights
    await upload('corrupt/t5-tiny-fixture/', { ...files, 'encoder_model.onnx': model });

    const cacheDir = join(root, 'cache-corrupt');
    const error = await loadT5Encoder({
      id: 't5-tiny-fixture',
      source: { s3: { bucket: BUCKET, prefix: 'corrupt/t5-tiny-fixture/', client, cacheDir } },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as Error).message).toMatch(/sha256 mismatch for s3:\/\/coldstart-models\/corrupt\/t5-tiny-fixture\/encoder_model\.onnx/);
    const left = await readdir(join(cacheDir, 't5-tiny-fixture'));
    expect(left).not.toContain('encoder_model.onnx');
    expect(left.filter((name) => name.includes('download'))).toEqual([]);
    expect(left).not.toContain(MANIFEST_FILE);
  });

  it('refuses a manifest for a different encoder id', async () => {
    await expect(
      loadT5Encoder({ id: 't5-base', source: { s3: { bucket: BUCKET, prefix: 'models/t5-tiny-fixture/', client, cacheDir: join(root, 'x') } } }),
    ).rejects.toThrow(/describes encoder "t5-tiny-fixture", not "t5-base"/);
  });

  it('serves registry ids from COLDSTART_MODELS_S3_URL-style locations', async () => {
    // A real-model id whose files are on S3: upload the fixture under t5-base's key with a t5-base manifest.
    const files = await fixtureFiles();
    const manifest = { ...JSON.parse(files[MANIFEST_FILE]!.toString('utf8')), id: 't5-base', dimension: 32 } as object;
    await upload('registry/t5-base/', { ...files, [MANIFEST_FILE]: JSON.stringify(manifest) });
    // The registry checks the dimension it knows (768) against the model's (32): a clear refusal.
    await expect(loadEncoder('t5-base', { modelsDir: join(root, 'models'), s3: { url: `s3://${BUCKET}/registry`, client } })).rejects.toThrow(
      /dimension 32, but the registry says 768/,
    );
    expect((await readdir(join(root, 'models', 't5-base'))).toSorted()).toEqual([...Object.keys(fixture.manifest.files), MANIFEST_FILE].toSorted());
  });
});
