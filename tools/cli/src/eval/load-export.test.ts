import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { itemUpsertedExample } from '@coldstart/events';
import { loadExport } from './load-export.js';

const item = (itemId: string, categories: string[] = ['mystery', 'crime']) => JSON.stringify({ ...itemUpsertedExample, eventId: `e-${itemId}`, itemId, title: `The ${itemId} affair`, categories });
const ITEMS = [item('book-a'), item('book-b', ['poetry']), item('book-c', [])].join('\n') + '\n';
const HEADER = 'userId,itemId,rating,occurredAt';

describe('loadExport', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'coldstart-export-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (items: string, interactions: string) => {
    const dir = mkdtempSync(path.join(root, 'x-'));
    writeFileSync(path.join(dir, 'items.jsonl'), items);
    writeFileSync(path.join(dir, 'interactions.csv'), interactions);
    return dir;
  };

  it('gives string ids dense numbers in order of first appearance, and spells them back', async () => {
    const dir = write(ITEMS, [HEADER, 'ann,book-b,5,2025-01-02T00:00:00Z', 'bob,book-a,,', '"c,d",book-b,2,2025-01-03T00:00:00+01:00'].join('\n'));
    const data = await loadExport(dir);
    expect(data.source).toEqual({ data: dir });
    expect(data.books.map((b) => [b.bookId, data.items.name(b.bookId), b.primaryGenre, b.genres])).toEqual([
      [1, 'book-a', 'mystery', ['mystery', 'crime']],
      [2, 'book-b', 'poetry', ['poetry']],
      [3, 'book-c', null, []],
    ]);
    expect(data.ratings.map((r) => [data.users.name(r.userId), data.items.name(r.bookId), r.rating])).toEqual([
      ['ann', 'book-b', 5],
      ['bob', 'book-a', undefined],
      ['c,d', 'book-b', 2],
    ]);
    // A row without a time is stamped as `interactions import` would, right after the export's last time.
    expect(data.ratings.map((r) => r.atMs)).toEqual([Date.parse('2025-01-02T00:00:00Z'), Date.parse('2025-01-02T23:00:00Z'), Date.parse('2025-01-02T23:00:00Z')]);
    // The catalog ingests each item's own body, under the eval's number.
    const book = data.books[0];
    expect(book && data.itemEvent(book)).toMatchObject({ type: 'item.upserted', itemId: '1', title: 'The book-a affair', categories: ['mystery', 'crime'] });
  });

  it('keeps whole-number ids as they are, and an export without times at one instant', async () => {
    const dir = write([item('7'), item('12')].join('\n'), [HEADER, '40,12,4,', '3,7,,'].join('\n'));
    const data = await loadExport(dir);
    expect(data.books.map((b) => b.bookId)).toEqual([7, 12]);
    expect(data.ratings).toEqual([
      { userId: 40, bookId: 12, rating: 4, atMs: undefined },
      { userId: 3, bookId: 7, rating: undefined, atMs: undefined },
    ]);
    expect(data.users.name(40)).toBe(40);
  });

  const bad: { name: string; items?: string; rows?: string[]; file: 'items.jsonl' | 'interactions.csv'; error: RegExp }[] = [
    { name: 'an item line that is not JSON', items: `${item('a')}\n{nope\n`, file: 'items.jsonl', error: /items\.jsonl:2: body is not valid JSON/ },
    { name: 'an item that breaks the contract', items: `${item('a')}\n\n${JSON.stringify({ ...itemUpsertedExample, title: '' })}\n`, file: 'items.jsonl', error: /items\.jsonl:3: title: / },
    { name: 'another event type', items: JSON.stringify({ schemaVersion: 1, type: 'item.deleted', eventId: 'e', occurredAt: '2025-01-01T00:00:00Z', itemId: 'a' }), file: 'items.jsonl', error: /items\.jsonl:1: a item\.deleted event; items\.jsonl holds item\.upserted bodies only/ },
    { name: 'an item twice', items: `${item('a')}\n${item('a')}\n`, file: 'items.jsonl', error: /items\.jsonl:2: itemId "a" is already on line 1/ },
    { name: 'no items', items: '\n', file: 'items.jsonl', error: /items\.jsonl: no items/ },
    { name: 'a misspelt column', rows: ['userId,itemId,rateing,occurredAt'], file: 'interactions.csv', error: /interactions\.csv:1: the CSV header names an unknown column "rateing"/ },
    { name: 'a rating out of range', rows: [HEADER, 'u,book-a,4,', 'u,book-b,6,'], file: 'interactions.csv', error: /interactions\.csv:3: rating "6" must be an integer 1–5 or empty/ },
    { name: 'an unknown item', rows: [HEADER, 'u,book-z,4,'], file: 'interactions.csv', error: /interactions\.csv:2: itemId "book-z" is not in items\.jsonl/ },
    { name: 'an empty user', rows: [HEADER, ',book-a,4,'], file: 'interactions.csv', error: /interactions\.csv:2: userId must be 1–128 characters/ },
    { name: 'a time without a zone', rows: [HEADER, 'u,book-a,4,2025-01-01T00:00:00'], file: 'interactions.csv', error: /interactions\.csv:2: occurredAt "2025-01-01T00:00:00" must be an ISO-8601 date-time with a zone, or empty/ },
    { name: 'rows out of time order', rows: [HEADER, 'u,book-a,4,2025-01-02T00:00:00Z', 'v,book-b,,', 'u,book-b,4,2025-01-01T00:00:00Z'], file: 'interactions.csv', error: /interactions\.csv:4: occurredAt 2025-01-01T00:00:00\.000Z is before line 2's 2025-01-02T00:00:00\.000Z: rows must be in time order/ },
    { name: 'a row with a missing field', rows: [HEADER, 'u,book-a,4'], file: 'interactions.csv', error: /interactions\.csv:2: has 3 fields, the header 4/ },
    { name: 'no header', rows: [''], file: 'interactions.csv', error: /interactions\.csv: empty file; expected the header userId,itemId,rating,occurredAt/ },
  ];

  it.each(bad)('stops at $name with the file, line and reason', async ({ items, rows, file, error }) => {
    const dir = write(items ?? ITEMS, (rows ?? [HEADER, 'u,book-a,4,']).join('\n'));
    const loading = loadExport(dir);
    await expect(loading).rejects.toThrow(error);
    await expect(loading).rejects.toMatchObject({ name: 'ExportDataError', file: path.join(dir, file) });
  });

  it('names a missing file', async () => {
    const dir = mkdtempSync(path.join(root, 'empty-'));
    await expect(loadExport(dir)).rejects.toThrow(`${path.join(dir, 'items.jsonl')}: file not found`);
  });
});
