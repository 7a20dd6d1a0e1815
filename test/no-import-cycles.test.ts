import { describe, expect, it } from 'vitest';
import { findCycles, importGraph } from './support/import-graph.js';
import { sourceFiles, workspaces } from './support/source-files.js';

// What `npx madge --circular` checks, without the dependency: the import graph of every source
// file under apps/, packages/ and tools/ (tests left out) has no cycle, and neither has the graph
// of the workspace packages those imports make. A cycle means two places that cannot be read,
// tested or moved apart; between packages it also breaks `tsc -b`'s build order.
describe('imports', () => {
  const packages = workspaces();
  const files = importGraph(sourceFiles(), packages);

  it('make no cycle between source files', () => {
    expect(findCycles(files).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('make no cycle between workspace packages', () => {
    const owner = (file: string) => packages.find((p) => file.startsWith(`${p.dir}/`))?.name ?? file;
    const between = new Map<string, string[]>();
    for (const [file, targets] of files) {
      const from = owner(file);
      const to = new Set([...(between.get(from) ?? []), ...targets.map(owner).filter((name) => name !== from)]);
      between.set(from, [...to]);
    }
    expect(findCycles(between).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('finds a cycle when there is one (the check checks)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(findCycles(graph)).toEqual(expect.arrayContaining([['a.ts', 'b.ts', 'c.ts', 'a.ts'], ['e.ts', 'e.ts']]));
    expect(findCycles(graph)).toHaveLength(2);
  });

  it('sees the imports of the real tree, within and between packages (a resolver that resolves nothing finds no cycle either)', () => {
    const entries = new Set(packages.map((p) => p.entry));
    const edges = [...files.values()].flat();
    expect(files.size).toBeGreaterThan(200);
    expect(edges.filter((target) => entries.has(target)).length).toBeGreaterThan(100);
    expect(edges.filter((target) => !entries.has(target)).length).toBeGreaterThan(300);
  });
});
