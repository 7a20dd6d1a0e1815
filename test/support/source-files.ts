import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Workspace {
  /** Repo-relative folder, e.g. `packages/events`. */
  dir: string;
  /** The package name, e.g. `@coldstart/events`. */
  name: string;
  /** The repo-relative source file its main export is built from, e.g. `packages/events/src/index.ts`. */
  entry: string | undefined;
}

/** Every workspace package: a folder under apps/, packages/ or tools/ with a package.json. */
export function workspaces(): Workspace[] {
  return ['apps', 'packages', 'tools'].flatMap((root) =>
    readdirSync(join(REPO_ROOT, root), { withFileTypes: true })
      .filter((folder) => folder.isDirectory())
      .flatMap((folder) => {
        const dir = `${root}/${folder.name}`;
        let manifest: { name: string; exports?: { '.'?: { default?: string } } };
        try {
          manifest = JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as typeof manifest;
        } catch {
          return [];
        }
        // tsc builds src/ into dist/: ./dist/index.js comes from src/index.ts.
        const built = manifest.exports?.['.']?.default;
        const entry = built === undefined ? undefined : join(dir, built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
        return [{ dir, name: manifest.name, entry }];
      }),
  );
}

const SOURCE = /\.(?:ts|mts|cts|js|mjs|cjs)$/;
const NOT_SOURCE = /\.test\.ts$|\.d\.ts$/;

/** Repo-relative paths of the workspaces' source files: what ships or runs as tooling, tests left out. */
export function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (SOURCE.test(entry.name) && !NOT_SOURCE.test(entry.name)) files.push(relative(REPO_ROOT, path));
    }
  };
  for (const { dir } of workspaces()) walk(join(REPO_ROOT, dir));
  return files.sort();
}
