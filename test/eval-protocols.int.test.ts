import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadFold, type Fold } from '@coldstart/goodbooks';
import { TEST_REDIS_URL } from '@coldstart/testing';
import { goodbooksData } from '../tools/cli/src/eval/eval-data.ts';
import { registerEvalCommand } from '../tools/cli/src/eval/eval-command.ts';
import { splitFold, type EvalCase } from '../tools/cli/src/eval/eval-protocol.ts';
import { renderEvalHtml } from '../tools/cli/src/eval/render-eval-html.ts';
import { runEval, WITHOUT_EXPLORATION, WITHOUT_PLACEMENT, type DumpLine, type EvalOptions, type EvalReport } from '../tools/cli/src/eval/run-eval.ts';
import { itemEvent } from '../tools/cli/src/workload/demo-events.ts';

const PIPELINE = 'catalog × wink-glove-100d';
const USERS = 60;
const base: Omit<EvalOptions, 'protocol'> = { fold: 'c', k: 10, users: USERS, expanders: ['catalog'], encoders: ['wink-glove-100d'], seed: 42, redisUrl: TEST_REDIS_URL };

/** `coldstart eval` as a user runs it: what it prints, or why it stopped. */
async function evalCommand(args: string[]): Promise<EvalReport> {
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
  try {
    const program = new Command('coldstart').exitOverride();
    registerEvalCommand(program);
    await program.parseAsync(['eval', ...args], { from: 'user' });
  } finally {
    log.mockRestore();
  }
  return JSON.parse(printed.join('\n')) as EvalReport;
}

/** Each user's list under one system of a dump. */
const listsOf = (dump: readonly DumpLine[], system: string) => new Map(dump.filter((line) => line.system === system).map((line) => [line.userId, line.items]));

const readDump = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as DumpLine);

describe('eval protocols and --data', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'coldstart-eval-protocols-'));
  let fold: Fold;
  beforeAll(async () => {
    fold = await loadFold('c');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const casesOf = (protocol: EvalOptions['protocol']) => new Map(splitFold(goodbooksData(fold), { seed: 42, protocol }).cases.slice(0, USERS).map((c) => [c.userId, c]));
  const ratingsOf = (userId: number) => fold.ratings.filter((r) => r.userId === userId);

  it('category-only: the signup names a category and no item, so no list starts from a seed', async () => {
    const { report, dump, samples } = await runEval({ ...base, protocol: 'category-only' });
    // Content neighbours and item-to-item CF need a seed; they are left out.
    expect(report.systems.map((s) => [s.name, s.kind])).toEqual([
      ['random', 'baseline'],
      ['popularity', 'baseline'],
      ['genre-popularity', 'baseline'],
      [PIPELINE, 'pipeline'],
    ]);
    expect(report).toMatchObject({ fold: 'c', protocol: 'category-only', users: USERS });
    expect(report.warming).toBeUndefined();
    const cases = casesOf('category-only');
    expect(dump).toHaveLength(USERS * report.systems.length);
    for (const line of dump) {
      const user = cases.get(line.userId as number) as EvalCase;
      expect(line).not.toHaveProperty('seedItem');
      expect(line.category).toBe(user.category);
      expect(line.items.length).toBe(10);
    }
    // The first book is no seed here: it may be recommended, and counts when it is liked.
    const first = (userId: number) => ratingsOf(userId)[0]?.bookId;
    expect(dump.some((line) => line.system === PIPELINE && line.items.includes(first(line.userId as number) ?? -1))).toBe(true);
    expect(samples[0]?.seed).toBeUndefined();
    expect(samples[0]?.items.some((item) => item.reason?.kind === 'popular-in')).toBe(true);
    const html = renderEvalHtml(report, samples);
    expect(html).toContain('<table id="category-only">');
    expect(html).toContain('category-only protocol');
  }, 180_000);

  it('warming: lists are read at signup and after 1, 3 and 5 interactions, never holding what was sent', async () => {
    const { report, dump, samples } = await runEval({ ...base, protocol: 'warming' });
    const steps = ['', ' after 1 interaction', ' after 3 interactions', ' after 5 interactions'].map((suffix) => `${PIPELINE}${suffix}`);
    expect(report.systems.filter((s) => s.kind === 'pipeline').map((s) => s.name)).toEqual(steps);
    expect(report.warming?.steps).toEqual([0, 1, 3, 5]);
    expect(report.warming?.curves.map((c) => [c.pipeline, c.points.map((p) => [p.interactions, p.system])])).toEqual([[PIPELINE, [0, 1, 3, 5].map((n, i) => [n, steps[i]])]]);
    for (const point of report.warming?.curves[0]?.points ?? []) {
      const system = report.systems.find((s) => s.name === point.system);
      expect(point).toMatchObject({ ndcg: system?.ndcg, ndcgCi: system?.ndcgCi, recall: system?.recall });
    }
    const cases = casesOf('warming');
    for (const line of dump) {
      const own = ratingsOf(line.userId as number);
      const user = cases.get(line.userId as number) as EvalCase;
      expect(line.seedItem).toBe(own[0]?.bookId);
      const sent = steps.indexOf(line.system) > 0 ? [1, 3, 5][steps.indexOf(line.system) - 1] : 0;
      // What was sent: the user's next ratings after the seed, in file order; never in the list.
      expect(line.seen ?? []).toEqual(own.slice(1, 1 + (sent ?? 0)).map((r) => r.bookId));
      for (const id of [line.seedItem, ...(line.seen ?? [])]) expect(line.items).not.toContain(id);
      // The same relevant books at every step: the likes after the fifth interaction.
      for (const id of user.relevant) expect(own.findIndex((r) => r.bookId === id)).toBeGreaterThan(5);
    }
    const html = renderEvalHtml(report, samples);
    expect(html).toContain('<svg id="warming-curve"');
    expect(html.match(/<circle class="point"/g)).toHaveLength(4);
  }, 180_000);

  it('new-items and cold-seed: the served pipeline explores (for users with a book that has readers) and places new books, beside itself without either, and reports their share', async () => {
    const unexploredName = `${PIPELINE} ${WITHOUT_EXPLORATION}`;
    const references = [unexploredName, `${PIPELINE} ${WITHOUT_PLACEMENT}`];
    const newItems = await runEval({ ...base, protocol: 'new-items' });
    expect(newItems.report.systems.filter((s) => s.name.startsWith(PIPELINE)).map((s) => [s.name, s.kind])).toEqual([[PIPELINE, 'pipeline'], ...references.map((name) => [name, 'reference'])]);
    for (const system of newItems.report.systems) {
      expect(system.newItemShare, system.name).toBeGreaterThanOrEqual(0);
      expect(system.ndcgAll, system.name).toBeGreaterThanOrEqual(0);
    }
    const served = newItems.report.systems.find((s) => s.name === PIPELINE);
    // Exploration at 0.3: three of every ten slots go to new books for a user who named a book
    // with readers of its own; a user whose first book is itself new gets the list without exploration.
    expect(served?.newItemShare).toBeGreaterThanOrEqual(0.2);
    const newItemsBooks = splitFold(goodbooksData(fold), { seed: 42, protocol: 'new-items' }).newBooks;
    const unexplored = listsOf(newItems.dump, unexploredName);
    const newSeeds = newItems.dump.filter((line) => line.system === PIPELINE && newItemsBooks.has(line.seedItem as number));
    expect(newSeeds.length).toBeGreaterThan(0);
    for (const line of newSeeds) expect(line.items).toEqual(unexplored.get(line.userId));
    expect(newItems.report.systems.find((s) => s.name === references[1])?.newItemShare).toBeLessThan(0.05);
    expect(newItems.samples.flatMap((user) => user.items).some((item) => item.reason?.kind === 'exploring' || item.reason?.kind === 'new-in')).toBe(true);
    expect(renderEvalHtml(newItems.report, newItems.samples)).toContain('<table id="new-books">');

    const coldSeed = await runEval({ ...base, protocol: 'cold-seed' });
    const cases = casesOf('cold-seed');
    const newBooks = splitFold(goodbooksData(fold), { seed: 42, protocol: 'cold-seed' }).newBooks;
    for (const line of coldSeed.dump) expect(newBooks.has(line.seedItem as number)).toBe(true);
    expect(coldSeed.dump.filter((line) => line.system === PIPELINE).map((line) => line.seedItem)).toEqual([...cases.values()].map((c) => c.seed?.book.bookId));
    // Every signup names only a new book: nothing of the user's has readers to place new books against, so no list explores.
    expect(listsOf(coldSeed.dump, PIPELINE)).toEqual(listsOf(coldSeed.dump, unexploredName));
    expect(coldSeed.report.systems.every((s) => s.ndcgAll === undefined)).toBe(true);
    expect(renderEvalHtml(coldSeed.report, coldSeed.samples)).toContain('cold-seed protocol');
  }, 300_000);

  it('--data: a team\'s export with its own string ids, measured through the command, dumps those ids', async () => {
    // 300 readers of 40 books in two genres; each reads 8, mostly of one genre, rating their genre's books higher.
    const genres = ['mystery', 'poetry'];
    const words = ['harbor', 'winter', 'garden', 'river', 'shadow', 'letter', 'island', 'mountain', 'silence', 'orchard'];
    const items = Array.from({ length: 40 }, (_, i) => ({ itemId: `sku-${i}`, genre: genres[i % 2] as string, title: `The ${words[i % 10]} of ${words[(i * 3 + 1) % 10]} ${i}` }));
    const data = mkdtempSync(path.join(dir, 'team-'));
    writeFileSync(
      path.join(data, 'items.jsonl'),
      items.map((item) => JSON.stringify({ schemaVersion: 1, type: 'item.upserted', eventId: `up-${item.itemId}`, occurredAt: '2025-01-01T00:00:00Z', itemId: item.itemId, title: item.title, categories: [item.genre, 'books'] })).join('\n') + '\n',
    );
    const rows = ['userId,itemId,rating,occurredAt'];
    let minute = 0;
    for (let u = 0; u < 300; u++) {
      for (let k = 0; k < 8; k++) {
        const item = items[(u * 7 + k * (k % 3 === 0 ? 3 : 2)) % 40] as (typeof items)[number];
        const liked = item.genre === genres[u % 2];
        const at = new Date(Date.parse('2025-02-01T00:00:00Z') + minute++ * 60_000).toISOString();
        rows.push(`reader-${u},${item.itemId},${k % 4 === 3 ? '' : liked ? 5 : 2},${k % 5 === 4 ? '' : at}`);
      }
    }
    writeFileSync(path.join(data, 'interactions.csv'), rows.join('\n') + '\n');
    const dumpFile = path.join(dir, 'team-dump.jsonl');
    const report = await evalCommand(['--data', data, '--k', '5', '--expanders', 'catalog', '--json', '--dump', dumpFile]);
    expect(report).toMatchObject({ data, k: 5, protocol: 'cold-start' });
    expect(report).not.toHaveProperty('fold');
    expect(report.users).toBeGreaterThan(10);
    const lines = readDump(dumpFile);
    expect(lines.length).toBe(report.users * report.systems.length);
    for (const line of lines) {
      expect(line.userId).toMatch(/^reader-\d+$/);
      expect(line.seedItem).toMatch(/^sku-\d+$/);
      for (const id of line.items) expect(id).toMatch(/^sku-\d+$/);
      expect(line.items).not.toContain(line.seedItem);
    }
  }, 180_000);

  it('--data: a goodbooks fold exported as items.jsonl and interactions.csv gives the fold\'s own figures and dump', async () => {
    const data = mkdtempSync(path.join(dir, 'fold-c-'));
    writeFileSync(path.join(data, 'items.jsonl'), fold.books.map((book) => JSON.stringify(itemEvent(book, 'export', '2017-01-01T00:00:00Z'))).join('\n') + '\n');
    writeFileSync(path.join(data, 'interactions.csv'), ['userId,itemId,rating,occurredAt', ...fold.ratings.map((r) => `${r.userId},${r.bookId},${r.rating},`)].join('\n') + '\n');
    const options = { ...base, users: 100, protocol: 'cold-start' } as const;
    const fromFold = await runEval(options);
    const { fold: _, ...dataOptions } = options;
    const fromData = await runEval({ ...dataOptions, data });
    // Only diversity may differ: an export's genres are all its categories (goodbooks' exclude the shelves).
    const figures = (report: EvalReport) => report.systems.map(({ diversity: _d, ...rest }) => rest);
    expect(fromData.report.data).toBe(data);
    expect(figures(fromData.report)).toEqual(figures(fromFold.report));
    expect(fromData.report.overlap).toEqual(fromFold.report.overlap);
    expect(fromData.dump).toEqual(fromFold.dump);
  }, 300_000);

  it('--data: a bad row stops the command with the file, line and reason', async () => {
    const data = mkdtempSync(path.join(dir, 'bad-'));
    writeFileSync(path.join(data, 'items.jsonl'), `${JSON.stringify(itemEvent(fold.books[0] as Fold['books'][number], 'export', '2017-01-01T00:00:00Z'))}\n`);
    const bookId = fold.books[0]?.bookId;
    writeFileSync(path.join(data, 'interactions.csv'), `userId,itemId,rating,occurredAt\n1,${bookId},5,\n2,${bookId},five,\n`);
    await expect(evalCommand(['--data', data, '--json'])).rejects.toThrow(`${path.join(data, 'interactions.csv')}:3: rating "five" must be an integer 1–5 or empty`);
  });
});
