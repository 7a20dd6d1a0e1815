import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DATA_SUBDIR = path.join('data', 'goodbooks10k-subsets');

/**
 * The goodbooks10k-subsets folder shipped in the repo. Found by walking up from this module so it
 * works both from `src/` (vitest) and from `dist/` (built apps), whatever the working directory.
 * COLDSTART_DATA_DIR points at a copy elsewhere (the folder itself, not its parent); this is the
 * only place the package reads the environment.
 */
export function defaultDataDir(): string {
  const fromEnv = process.env.COLDSTART_DATA_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);

  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; ) {
    const candidate = path.join(dir, DATA_SUBDIR);
    if (isDirectory(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no ${DATA_SUBDIR} directory above ${start}; set COLDSTART_DATA_DIR or pass dataDir`);
    }
    dir = parent;
  }
}

function isDirectory(candidate: string): boolean {
  return statSync(candidate, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
