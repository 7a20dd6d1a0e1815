import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest ancestor of this file holding both apps/ and packages/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'apps')) && existsSync(join(dir, 'packages'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the coldstart repository root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Compiled entry point of an app, e.g. apps/worker-embed/dist/main.js. */
export function appEntry(app: string): string {
  return join(repoRoot(), 'apps', app, 'dist', 'main.js');
}
