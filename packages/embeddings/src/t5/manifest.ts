import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Name of the manifest that lists a model directory's files and their sha256 digests. */
export const MANIFEST_FILE = 'coldstart-encoder.json';

/**
 * `coldstart-encoder.json`: what an S3 (or any remote) copy of a model directory must contain.
 * `files` maps a file name (relative to the directory, no subdirectories) to its lowercase hex
 * sha256; the manifest itself is not listed.
 */
export interface EncoderManifest {
  readonly id: string;
  readonly dimension: number;
  readonly files: Readonly<Record<string, string>>;
}

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;
const SHA256 = /^[0-9a-f]{64}$/;

export function parseManifest(text: string, label: string): EncoderManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${label}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new Error(`${label}: not a JSON object`);
  const { id, dimension, files } = raw as Record<string, unknown>;
  if (typeof id !== 'string' || id === '') throw new Error(`${label}: "id" must be a non-empty string`);
  if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension <= 0) {
    throw new Error(`${label}: "dimension" must be a positive integer`);
  }
  if (typeof files !== 'object' || files === null || Array.isArray(files)) throw new Error(`${label}: "files" must be an object`);
  const checked: Record<string, string> = {};
  for (const [name, digest] of Object.entries(files as Record<string, unknown>)) {
    // Names become local paths: refuse anything that could escape the cache directory.
    if (!SAFE_NAME.test(name) || name === '.' || name === '..' || name === MANIFEST_FILE) {
      throw new Error(`${label}: unsafe or reserved file name ${JSON.stringify(name)}`);
    }
    if (typeof digest !== 'string' || !SHA256.test(digest)) throw new Error(`${label}: bad sha256 for ${name}`);
    checked[name] = digest;
  }
  if (Object.keys(checked).length === 0) throw new Error(`${label}: "files" is empty`);
  return { id, dimension, files: checked };
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Streams the file, so hashing a 350 MB model does not hold a second copy in memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Writes `coldstart-encoder.json` for the given files of `dir`, e.g. after exporting a real
 * model with optimum, before uploading the directory to S3.
 */
export async function writeEncoderManifest(
  dir: string,
  manifest: { id: string; dimension: number; files: readonly string[] },
): Promise<EncoderManifest> {
  const files: Record<string, string> = {};
  for (const name of [...manifest.files].sort()) files[name] = await sha256File(join(dir, name));
  const result: EncoderManifest = { id: manifest.id, dimension: manifest.dimension, files };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

export async function readManifest(dir: string): Promise<EncoderManifest> {
  const path = join(dir, MANIFEST_FILE);
  return parseManifest(await readFile(path, 'utf8'), path);
}
