import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MANIFEST_FILE, parseManifest, sha256File, type EncoderManifest } from './manifest.js';

export interface S3ModelSource {
  readonly bucket: string;
  /** Key prefix of the model's files, e.g. `models/t5-base/` (a missing trailing slash is added). */
  readonly prefix: string;
  /** Defaults to `new S3Client({})`, i.e. region and credentials from the environment. */
  readonly client?: S3Client;
  /** Files land in `<cacheDir>/<id>/`. */
  readonly cacheDir: string;
}

export interface S3DownloadInfo {
  readonly dir: string;
  readonly manifest: EncoderManifest;
  readonly downloaded: readonly string[];
  /** Files already in the cache with the right sha256, so not fetched again. */
  readonly reused: readonly string[];
}

/** A file's bytes do not match the manifest's sha256. */
export class ChecksumMismatchError extends Error {
  override readonly name = 'ChecksumMismatchError';
}

/**
 * Makes `<cacheDir>/<id>/` a verified copy of the model at `s3://bucket/prefix`: reads the
 * `coldstart-encoder.json` manifest there, keeps cached files whose sha256 already matches,
 * downloads the rest to a temporary name and renames each into place only once its sha256 is
 * verified. A mismatching download is deleted and reported, never left where a later load
 * could pick it up. Downloads are sequential: the model file dominates anyway.
 */
export async function downloadModelFromS3(id: string, source: S3ModelSource): Promise<S3DownloadInfo> {
  const client = source.client ?? new S3Client({});
  const prefix = source.prefix === '' || source.prefix.endsWith('/') ? source.prefix : `${source.prefix}/`;
  const where = (name: string): string => `s3://${source.bucket}/${prefix}${name}`;

  const manifestText = await getText(client, source.bucket, `${prefix}${MANIFEST_FILE}`);
  const manifest = parseManifest(manifestText, where(MANIFEST_FILE));
  if (manifest.id !== id) {
    throw new Error(`${where(MANIFEST_FILE)} describes encoder ${JSON.stringify(manifest.id)}, not ${JSON.stringify(id)}`);
  }

  const dir = join(source.cacheDir, id);
  await mkdir(dir, { recursive: true });
  const downloaded: string[] = [];
  const reused: string[] = [];
  for (const [name, expected] of Object.entries(manifest.files)) {
    const target = join(dir, name);
    if ((await sha256File(target).catch(() => null)) === expected) {
      reused.push(name);
      continue;
    }
    const temporary = join(dir, `.${name}.download-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      const actual = await downloadTo(client, source.bucket, `${prefix}${name}`, temporary);
      if (actual !== expected) {
        throw new ChecksumMismatchError(`sha256 mismatch for ${where(name)}: manifest says ${expected}, downloaded file has ${actual}; refusing to use it`);
      }
      await rename(temporary, target);
    } finally {
      await rm(temporary, { force: true });
    }
    downloaded.push(name);
  }
  // Written last, so a cache directory with a manifest has had every file verified at least once.
  await writeFile(join(dir, MANIFEST_FILE), manifestText);
  return { dir, manifest, downloaded, reused };
}

async function getText(client: S3Client, bucket: string, key: string): Promise<string> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (response.Body === undefined) throw new Error(`s3://${bucket}/${key}: empty response`);
  return response.Body.transformToString('utf8');
}

/** Streams the object to `path`, hashing on the way; returns the hex sha256. */
async function downloadTo(client: S3Client, bucket: string, key: string, path: string): Promise<string> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = response.Body as AsyncIterable<Uint8Array> | undefined;
  if (body === undefined) throw new Error(`s3://${bucket}/${key}: empty response`);
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for await (const chunk of body) {
      hash.update(chunk);
      await file.write(chunk);
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

/** Parses `s3://bucket/some/prefix` into bucket and prefix (no trailing slash added). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (match === null) throw new Error(`not an s3:// URL: ${JSON.stringify(url)}`);
  return { bucket: match[1]!, prefix: match[2]! };
}
