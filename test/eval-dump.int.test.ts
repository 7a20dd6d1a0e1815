import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { defaultDataDir } from '@coldstart/goodbooks';
import { registerEvalCommand } from '../tools/cli/src/eval/eval-command.ts';

interface Line {
  system: string;
  userId: number;
  seedItem: number;
  items: number[];
}

interface Printed {
  fold: string;
  k: number;
  users: number;
  systems: { name: string; kind: string; ndcg: number; recall: number; hitRate: number; ndcgCi: [number, number]; recallCi: [number, number] }[];
  overlap: { labels: string[]; matrix: number[][] };
}

/**
 * Recomputes `coldstart eval --dump` figures from nothing but the dump and the fold's
 * ratings.csv, read here with a plain split: a user's first row is the seed, their later rows
 * rated >= 4 are relevant. None of the eval's code is used for the recomputation.
 */
function independentMetrics(lines: readonly Line[], ratingsCsv: string, k: number) {
  const seedOf = new Map<number, number>();
  const liked = new Map<number, Set<number>>();
  for (const row of ratingsCsv.trim().split('\n').slice(1)) {
    const [user, book, rating] = row.split(',').map(Number) as [number, number, number];
    if (!seedOf.has(user)) {
      seedOf.set(user, book);
      continue;
    }
    if (rating >= 4) liked.set(user, (liked.get(user) ?? new Set()).add(book));
  }
  const bySystem = new Map<string, { ndcg: number[]; recall: number[]; hit: number[] }>();
  for (const line of lines) {
    expect(seedOf.get(line.userId), `seed of user ${line.userId}`).toBe(line.seedItem);
    expect(line.items).not.toContain(line.seedItem);
    expect(line.items.length).toBeLessThanOrEqual(k);
    const relevant = liked.get(line.userId) ?? new Set<number>();
    relevant.delete(line.seedItem);
    let dcg = 0;
    let hits = 0;
    line.items.forEach((item, rank) => {
      if (relevant.has(item)) {
        hits += 1;
        dcg += 1 / Math.log2(rank + 2);
      }
    });
    let ideal = 0;
    for (let rank = 0; rank < Math.min(k, relevant.size); rank++) ideal += 1 / Math.log2(rank + 2);
    const entry = bySystem.get(line.system) ?? { ndcg: [], recall: [], hit: [] };
    entry.ndcg.push(dcg / ideal);
    entry.recall.push(hits / relevant.size);
    entry.hit.push(hits > 0 ? 1 : 0);
    bySystem.set(line.system, entry);
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return new Map([...bySystem].map(([name, m]) => [name, { ndcg: avg(m.ndcg), recall: avg(m.recall), hitRate: avg(m.hit), users: m.ndcg.length }]));
}

describe('coldstart eval --json --dump on fold c', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'coldstart-eval-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the pipeline, four baselines and the reference, and its dump reproduces their figures', async () => {
    const dumpFile = path.join(dir, 'dump.jsonl');
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    const program = new Command('coldstart').exitOverride();
    registerEvalCommand(program);
    await program.parseAsync(['eval', '--fold', 'c', '--k', '10', '--users', '400', '--json', '--dump', dumpFile], { from: 'user' });
    log.mockRestore();

    const report = JSON.parse(printed.join('\n')) as Printed;
    expect(report).toMatchObject({ fold: 'c', k: 10, users: 400 });
    expect(report.systems.map((s) => [s.name, s.kind])).toEqual(
      expect.arrayContaining([
        ['random', 'baseline'],
        ['popularity', 'baseline'],
        ['genre-popularity', 'baseline'],
        ['content-nn × wink-glove-100d', 'baseline'],
        ['item-cf', 'reference'],
        ['catalog × wink-glove-100d', 'pipeline'],
      ]),
    );
    expect(report.overlap.labels).toEqual(report.systems.map((s) => s.name));

    const lines = readFileSync(dumpFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    const ratings = readFileSync(path.join(defaultDataDir(), 'fold_c', 'ratings.csv'), 'utf8');
    const recomputed = independentMetrics(lines, ratings, 10);
    for (const system of report.systems) {
      const mine = recomputed.get(system.name);
      expect(mine, system.name).toBeDefined();
      expect(mine?.users).toBe(400);
      // The report rounds to 4 decimals.
      expect(mine?.ndcg, `${system.name} NDCG`).toBeCloseTo(system.ndcg, 3);
      expect(mine?.recall, `${system.name} recall`).toBeCloseTo(system.recall, 3);
      expect(mine?.hitRate, `${system.name} hit rate`).toBeCloseTo(system.hitRate, 3);
      expect(system.ndcgCi[0]).toBeLessThanOrEqual(system.ndcg);
      expect(system.ndcgCi[1]).toBeGreaterThanOrEqual(system.ndcg);
    }
    // Sanity of the protocol itself: a real signal separates the systems from chance.
    const ndcg = (name: string) => report.systems.find((s) => s.name === name)?.ndcg ?? NaN;
    expect(ndcg('item-cf')).toBeGreaterThan(ndcg('random') * 5);
    expect(ndcg('catalog × wink-glove-100d')).toBeGreaterThan(ndcg('random') * 5);
  }, 180_000);
});
