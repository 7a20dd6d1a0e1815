import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, readManifest, sha256Hex, writeEncoderManifest } from './manifest.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 't5-manifest-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('coldstart-encoder.json', () => {
  it('is written from the files present and read back', async () => {
    await writeFile(join(dir, 'config.json'), '{"d_model":4}');
    await writeFile(join(dir, 'encoder_model.onnx'), Buffer.from([1, 2, 3]));
    const written = await writeEncoderManifest(dir, { id: 'm', dimension: 4, files: ['encoder_model.onnx', 'config.json'] });
    expect(written).toEqual({
      id: 'm',
      dimension: 4,
      files: { 'config.json': sha256Hex('{"d_model":4}'), 'encoder_model.onnx': sha256Hex(Buffer.from([1, 2, 3])) },
    });
    expect(await readManifest(dir)).toEqual(written);
  });

  it('rejects names that could escape the cache directory, bad digests and empty lists', () => {
    const ok = 'a'.repeat(64);
    const manifest = (files: unknown): string => JSON.stringify({ id: 'm', dimension: 4, files });
    expect(() => parseManifest(manifest({ '../evil': ok }), 'x')).toThrow(/unsafe/);
    expect(() => parseManifest(manifest({ 'sub/file': ok }), 'x')).toThrow(/unsafe/);
    expect(() => parseManifest(manifest({ '..': ok }), 'x')).toThrow(/unsafe/);
    expect(() => parseManifest(manifest({ 'coldstart-encoder.json': ok }), 'x')).toThrow(/reserved/);
    expect(() => parseManifest(manifest({ 'a.onnx': 'ABC' }), 'x')).toThrow(/bad sha256/);
    expect(() => parseManifest(manifest({}), 'x')).toThrow(/empty/);
    expect(() => parseManifest('{"id":"m","dimension":0,"files":{}}', 'x')).toThrow(/dimension/);
    expect(() => parseManifest('nope', 'x')).toThrow(/not JSON/);
    expect(parseManifest(manifest({ 'a.onnx': ok }), 'x').files).toEqual({ 'a.onnx': ok });
  });
});
