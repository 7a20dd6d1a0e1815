import { describe, expect, it } from 'vitest';
import { userInteractionExample } from '@coldstart/events';
import { CsvHeaderError, CsvInteractions, importEventId, importFormat, jsonlInteraction, splitCsvLine } from './interaction-rows.js';

const NOW = '2026-02-03T04:05:06.000Z';
const csvWith = (header: string) => {
  const csv = new CsvInteractions(NOW);
  expect(csv.isData(header)).toBe(false);
  return csv;
};

describe('splitCsvLine', () => {
  it.each([
    ['a,b,,d', ['a', 'b', '', 'd']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",', ['say "hi"', '']],
    ['', ['']],
    ['""', ['']],
  ])('%j is %j', (line, fields) => {
    expect(splitCsvLine(line)).toEqual(fields);
  });

  it.each(['"open', 'a"b,c', '"a"b', '"a",b"'])('refuses %j', (line) => {
    expect(splitCsvLine(line)).toBeUndefined();
  });
});

describe('CsvInteractions', () => {
  it('reads a row, keyed by user, item and canonical time, with the rating when given', () => {
    const csv = csvWith('userId,itemId,rating,occurredAt');
    const row = csv.row('u1,book-7,5,2026-01-01T10:00:00+01:00');
    expect(row).toEqual({
      ok: true,
      interaction: { eventId: importEventId('u1', 'book-7', '2026-01-01T09:00:00.000Z'), userId: 'u1', itemId: 'book-7', rating: 5, occurredAt: '2026-01-01T09:00:00.000Z' },
    });
    // The same instant written another way is the same interaction.
    expect(csv.row('u1,book-7,5,2026-01-01T09:00:00Z')).toEqual(row);
  });

  it('takes an empty rating as a positive signal and an empty time as now, keyed without the time', () => {
    const row = csvWith('userId,itemId,rating,occurredAt').row('u1,b,,');
    expect(row).toEqual({ ok: true, interaction: { eventId: importEventId('u1', 'b', ''), userId: 'u1', itemId: 'b', occurredAt: NOW } });
    // Another run's "now" gives the same key: importing the file again changes nothing.
    const later = new CsvInteractions('2030-01-01T00:00:00.000Z');
    later.isData('userId,itemId,rating,occurredAt');
    expect(later.row('u1,b,,')).toMatchObject({ ok: true, interaction: { eventId: importEventId('u1', 'b', '') } });
  });

  it('reads the columns in any order, rating and occurredAt optional', () => {
    expect(csvWith('itemId,userId').row('b,u')).toMatchObject({ ok: true, interaction: { userId: 'u', itemId: 'b', occurredAt: NOW } });
    expect(csvWith('occurredAt,rating,itemId,userId').row('2026-01-01T00:00:00Z,2,b,u')).toMatchObject({ ok: true, interaction: { userId: 'u', itemId: 'b', rating: 2 } });
  });

  it.each([
    ['u1,b,6,', /rating "6" must be an integer 1–5 or empty/],
    ['u1,b,4.5,', /rating "4.5"/],
    ['u1,b,x,', /rating "x"/],
    ['u1,b,4,yesterday', /occurredAt "yesterday" must be an ISO-8601 date-time with a zone/],
    ['u1,b,4,2026-01-01T00:00:00', /occurredAt/],
    [',b,4,', /userId must be 1–128 characters/],
    ['u1,\u0007b,4,', /itemId contains a control character/],
    [`${'u'.repeat(129)},b,,`, /userId must be 1–128 characters/],
    ['u1,b,4', /has 3 fields, the header 4/],
    ['u1,"b,4,', /not valid CSV/],
  ])('refuses %j', (line, error) => {
    const row = csvWith('userId,itemId,rating,occurredAt').row(line);
    expect(row.ok).toBe(false);
    expect(!row.ok && row.error).toMatch(error);
  });

  it.each([
    ['userId,item,rating', /unknown column "item"/],
    ['userId,rating', /lacks itemId/],
    ['userId,itemId,userId', /names userId twice/],
    ['"userId,itemId', /not valid CSV/],
  ])('stops at a wrong header %j', (header, error) => {
    expect(() => new CsvInteractions(NOW).isData(header)).toThrow(CsvHeaderError);
    expect(() => new CsvInteractions(NOW).isData(header)).toThrow(error);
  });
});

describe('jsonlInteraction', () => {
  it('reads a user.interaction body with its own eventId', () => {
    const body = { ...userInteractionExample, rating: 2, occurredAt: '2026-01-01T10:00:00+01:00' };
    expect(jsonlInteraction(JSON.stringify(body))).toEqual({
      ok: true,
      interaction: { eventId: body.eventId, userId: body.userId, itemId: body.itemId, rating: 2, occurredAt: '2026-01-01T09:00:00.000Z' },
    });
    expect(jsonlInteraction(JSON.stringify({ ...userInteractionExample, rating: null }))).toMatchObject({ ok: true, interaction: { eventId: userInteractionExample.eventId } });
  });

  it('refuses what the ingest refuses, and other event types', () => {
    expect(jsonlInteraction('{"type": "user.interaction"')).toMatchObject({ ok: false });
    expect(jsonlInteraction(JSON.stringify({ ...userInteractionExample, rating: 7 }))).toMatchObject({ ok: false, error: expect.stringMatching(/rating/) });
    expect(jsonlInteraction(JSON.stringify({ schemaVersion: 1, eventId: 'e', occurredAt: NOW, type: 'item.deleted', itemId: 'b' }))).toEqual({
      ok: false,
      error: 'is an event of type item.deleted; only user.interaction bodies are interactions',
    });
  });
});

describe('importFormat', () => {
  it('follows --format, else the extension', () => {
    expect(importFormat('x.csv', undefined)).toBe('csv');
    expect(importFormat('dir/x.JSONL', undefined)).toBe('jsonl');
    expect(importFormat('x.ndjson', undefined)).toBe('jsonl');
    expect(importFormat('x.txt', 'csv')).toBe('csv');
    expect(importFormat(undefined, 'jsonl')).toBe('jsonl');
    expect(() => importFormat('x.txt', undefined)).toThrow(/--format csv or --format jsonl/);
    expect(() => importFormat(undefined, undefined)).toThrow(/stdin/);
  });
});
