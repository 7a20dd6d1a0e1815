import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { endianness, tmpdir } from 'node:os';
import { basename, dirname, join, parse, resolve } from 'node:path';
import type { WordVectors } from './word-vectors.js';

/*
 * Binary cache of a word-vector table. Parsing the 294 MB source JSON takes ~5 s and ~1.1 GB
 * per process; this file is read straight into one Float32Array instead.
 *
 * Layout (little-endian):
 *   0    magic "CSWV"
 *   4    u32 format version
 *   8    u32 dimension
 *   12   u32 word count
 *   16   u32 vocabulary byte length
 *   20   u32 reserved (0)
 *   24   32 B source fingerprint (see sourceFingerprint)
 *   56   32 B sha256 of everything after the header
 *   88   zero padding
 *   128  float32 matrix, count × dimension, row-major (offset keeps it 4-byte aligned)
 *   ...  vocabulary: UTF-8 words joined by "\n", in row order
 */
const MAGIC = 0x56575343; // "CSWV" read as a little-endian u32
const FORMAT_VERSION = 1;
const HEADER_BYTES = 128;
const FINGERPRINT_SAMPLE_BYTES = 64 * 1024;

export type CacheRead =
  | { readonly ok: true; readonly vectors: WordVectors }
  | { readonly ok: false; readonly reason: string };

/** Whether this host can use the cache: its Float32Array byte order must match the file's. */
export function cacheSupported(): boolean {
  return endianness() === 'LE';
}

/**
 * Next to the installed package, under the nearest `node_modules/.cache/coldstart` (the
 * conventional place for tool caches, removed along with node_modules); the OS temp
 * directory if the source is not inside a node_modules tree.
 */
export function defaultCacheDir(sourcePath: string): string {
  let dir = dirname(resolve(sourcePath));
  while (true) {
    if (basename(dir) === 'node_modules') return join(dir, '.cache', 'coldstart');
    const parent = dirname(dir);
    if (parent === dir) return join(tmpdir(), 'coldstart-cache');
    dir = parent;
  }
}

/** One cache file per source path, so two sources sharing a cache dir don't keep evicting each other. */
export function cacheFilePath(cacheDir: string, sourcePath: string): string {
  const absolute = resolve(sourcePath);
  const tag = createHash('sha256').update(absolute).digest('hex').slice(0, 16);
  return join(cacheDir, `${parse(absolute).name}-${tag}.f32v`);
}

/**
 * Identifies the source without hashing all 294 MB (~0.6 s including the read): size and
 * mtime catch ordinary edits and reinstalls, and the first and last 64 KiB catch a new
 * package version even when npm normalises mtimes and the size happens to match.
 */
export async function sourceFingerprint(sourcePath: string): Promise<Buffer> {
  const info = await stat(sourcePath, { bigint: true });
  const hash = createHash('sha256').update(`coldstart-word-vectors:${FORMAT_VERSION}:${info.size}:${info.mtimeNs}:`);
  const handle = await open(sourcePath, 'r');
  try {
    const sample = Math.min(FINGERPRINT_SAMPLE_BYTES, Number(info.size));
    const head = new Uint8Array(sample);
    const tail = new Uint8Array(sample);
    await readFully(handle, head, 0);
    await readFully(handle, tail, Number(info.size) - sample);
    hash.update(head).update(tail);
  } finally {
    await handle.close();
  }
  return hash.digest();
}

/** Reads and verifies a cache file; any mismatch is reported as a miss, never thrown. */
export async function readCache(cachePath: string, fingerprint: Buffer): Promise<CacheRead> {
  let handle: FileHandle;
  try {
    handle = await open(cachePath, 'r');
  } catch (error) {
    return { ok: false, reason: isErrno(error, 'ENOENT') ? 'missing' : `unreadable: ${message(error)}` };
  }
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    if ((await readUpTo(handle, header, 0)) < HEADER_BYTES) return { ok: false, reason: 'truncated header' };
    if (header.readUInt32LE(0) !== MAGIC || header.readUInt32LE(4) !== FORMAT_VERSION) {
      return { ok: false, reason: 'unknown format' };
    }
    if (!header.subarray(24, 56).equals(fingerprint)) return { ok: false, reason: 'source changed' };
    const dimension = header.readUInt32LE(8);
    const count = header.readUInt32LE(12);
    const vocabBytes = header.readUInt32LE(16);
    const matrixBytes = count * dimension * 4;
    const { size } = await handle.stat();
    if (dimension === 0 || count === 0 || size !== HEADER_BYTES + matrixBytes + vocabBytes) {
      return { ok: false, reason: 'size mismatch' };
    }

    // Read straight into the Float32Array's own buffer: no second copy of ~137 MB.
    const matrix = new Float32Array(count * dimension);
    await readFully(handle, new Uint8Array(matrix.buffer), HEADER_BYTES);
    const vocab = Buffer.alloc(vocabBytes);
    await readFully(handle, vocab, HEADER_BYTES + matrixBytes);

    // ~70 ms for the full table; cheap insurance against a torn or bit-rotted file.
    const payloadHash = createHash('sha256').update(new Uint8Array(matrix.buffer)).update(vocab).digest();
    if (!header.subarray(56, 88).equals(payloadHash)) return { ok: false, reason: 'checksum mismatch' };

    const words = vocab.toString('utf8').split('\n');
    if (words.length !== count) return { ok: false, reason: 'vocabulary size mismatch' };
    return { ok: true, vectors: { dimension, words, matrix } };
  } catch (error) {
    return { ok: false, reason: `unreadable: ${message(error)}` };
  } finally {
    await handle.close();
  }
}

/**
 * Writes to a private temp file and renames it into place, so concurrent processes building
 * the same cache never expose a partial file to each other; the last rename wins and every
 * candidate is complete and equivalent.
 */
export async function writeCache(cachePath: string, fingerprint: Buffer, vectors: WordVectors): Promise<void> {
  const { dimension, words, matrix } = vectors;
  if (matrix.length !== words.length * dimension) throw new Error('matrix size does not match vocabulary');
  if (words.some((w) => w.includes('\n'))) throw new Error('a word contains a newline; cannot cache');
  const vocab = Buffer.from(words.join('\n'), 'utf8');
  const matrixBytes = new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength);

  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(FORMAT_VERSION, 4);
  header.writeUInt32LE(dimension, 8);
  header.writeUInt32LE(words.length, 12);
  header.writeUInt32LE(vocab.length, 16);
  fingerprint.copy(header, 24, 0, 32);
  createHash('sha256').update(matrixBytes).update(vocab).digest().copy(header, 56);

  await mkdir(dirname(cachePath), { recursive: true });
  const temp = `${cachePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writev([header, matrixBytes, vocab]);
    } finally {
      await handle.close();
    }
    await rename(temp, cachePath);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

async function readUpTo(handle: FileHandle, target: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < target.length) {
    // Capped per call: a single read of >2 GiB is rejected, and big reads may return short.
    const length = Math.min(target.length - done, 1 << 30);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

async function readFully(handle: FileHandle, target: Uint8Array, position: number): Promise<void> {
  if ((await readUpTo(handle, target, position)) !== target.length) throw new Error('unexpected end of file');
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Exported for tests that corrupt specific regions.
export const CACHE_HEADER_BYTES = HEADER_BYTES;
