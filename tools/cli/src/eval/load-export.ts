import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { EVENT_LIMITS, idProblem, parseEventBody, parseIsoDateTime, type ItemUpserted } from '@coldstart/events';
import type { Book } from '@coldstart/goodbooks';
import { IdSpace, type EvalData } from './eval-data.js';
import type { EvalRating } from './eval-protocol.js';

/** A bad export: the file, the 1-based line when one is to blame, and why. */
export class ExportDataError extends Error {
  override readonly name = 'ExportDataError';

  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`, options);
  }
}

/** interactions.csv's columns, in any order, and no others (a misspelt `rating` must not silently mean "unrated"). */
export const INTERACTIONS_COLUMNS = ['userId', 'itemId', 'rating', 'occurredAt'] as const;

/** One row of interactions.csv, checked. */
export interface InteractionRow {
  line: number;
  userId: string;
  itemId: string;
  /** 1–5; undefined when the cell is empty (a positive signal without stars). */
  rating: number | undefined;
  /** undefined when the cell is empty. */
  atMs: number | undefined;
}

const RATING = /^[1-5]$/;

/**
 * `coldstart eval --data DIR`: a team's own export in the shapes the goodbooks loader gives.
 * `DIR/items.jsonl` holds one item.upserted body per line, checked with the ingest's own
 * parser; each item is a Book (its first category the primary genre) ingested as that very
 * body. `DIR/interactions.csv` holds `userId,itemId,rating,occurredAt` rows in time order. A row
 * without a time took place when the row before it did (rows are in time order; leading ones
 * take the first time given); an export with no times at all is treated as goodbooks is, every
 * interaction at one instant. The first bad line stops the load with the file, line and reason.
 */
export async function loadExport(dir: string): Promise<EvalData> {
  const itemsFile = join(dir, 'items.jsonl');
  const events = parseItems(itemsFile, await readText(itemsFile));
  const interactionsFile = join(dir, 'interactions.csv');
  const rows = parseInteractions(interactionsFile, await readText(interactionsFile), events);

  const items = IdSpace.of(events.keys());
  const users = IdSpace.of(rows.map((row) => row.userId));
  const byBook = new Map([...events.values()].map((event) => [items.number(event.itemId), event]));
  const books = [...byBook].map(([bookId, event]) => bookOf(event, bookId));
  const times = filledTimes(rows);
  const ratings = rows.map((row, i): EvalRating => ({ userId: users.number(row.userId), bookId: items.number(row.itemId), rating: row.rating, atMs: times[i] }));
  return {
    source: { data: dir },
    books,
    ratings,
    // The catalog keys items by the eval's number, so the body is ingested under it.
    itemEvent: (book) => ({ ...(byBook.get(book.bookId) as ItemUpserted), itemId: String(book.bookId) }),
    users,
    items,
  };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ExportDataError(file, undefined, problem, { cause: error });
  }
}

/** Each non-blank line an item.upserted body; an item id at most once. */
export function parseItems(file: string, text: string): Map<string, ItemUpserted> {
  const events = new Map<string, ItemUpserted>();
  const lineOf = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const body = (line === 1 ? raw.replace(/^\uFEFF/, '') : raw).replace(/\r$/, '');
    if (body.trim() === '') return;
    const parsed = parseEventBody(body);
    if (!parsed.ok) throw new ExportDataError(file, line, parsed.error);
    const event = parsed.event;
    if (event.type !== 'item.upserted') throw new ExportDataError(file, line, `a ${event.type} event; items.jsonl holds item.upserted bodies only`);
    const earlier = lineOf.get(event.itemId);
    if (earlier !== undefined) throw new ExportDataError(file, line, `itemId ${JSON.stringify(event.itemId)} is already on line ${earlier}; one line per item`);
    events.set(event.itemId, event);
    lineOf.set(event.itemId, line);
  });
  if (events.size === 0) throw new ExportDataError(file, undefined, 'no items');
  return events;
}

/** Checked rows of interactions.csv: ids as the contract allows them, items the catalog holds, ratings 1–5 or empty, times with a zone, in order, or empty. */
export function parseInteractions(file: string, text: string, items: ReadonlyMap<string, unknown>): InteractionRow[] {
  const rows: InteractionRow[] = [];
  let columns: Map<string, number> | undefined;
  let lastTime: { atMs: number; line: number } | undefined;
  const onRecord = (record: string[], line: number) => {
    if (!columns) {
      columns = headerOf(file, record, line);
      return;
    }
    const cell = (name: string) => record[columns?.get(name) ?? -1] ?? '';
    const fail = (reason: string): never => {
      throw new ExportDataError(file, line, reason);
    };
    const userId = cell('userId');
    const itemId = cell('itemId');
    const rating = cell('rating');
    const occurredAt = cell('occurredAt');
    const userIssue = idProblem(userId, EVENT_LIMITS.idLength);
    if (userIssue) fail(`userId ${userIssue}`);
    const itemIssue = idProblem(itemId, EVENT_LIMITS.idLength);
    if (itemIssue) fail(`itemId ${itemIssue}`);
    if (!items.has(itemId)) fail(`itemId ${JSON.stringify(itemId)} is not in items.jsonl`);
    if (rating !== '' && !RATING.test(rating)) fail(`rating must be an integer 1–5 or empty, got ${JSON.stringify(rating)}`);
    const atMs = occurredAt === '' ? undefined : parseIsoDateTime(occurredAt);
    if (occurredAt !== '' && atMs === undefined) fail(`occurredAt must be an ISO-8601 date-time with a zone, or empty; got ${JSON.stringify(occurredAt)}`);
    if (atMs !== undefined) {
      if (lastTime && atMs < lastTime.atMs) fail(`occurredAt ${occurredAt} is before line ${lastTime.line}'s: rows must be in time order`);
      lastTime = { atMs, line };
    }
    rows.push({ line, userId, itemId, rating: rating === '' ? undefined : Number(rating), atMs });
  };
  try {
    parse(text, {
      bom: true,
      skip_empty_lines: true,
      // Only here is the true line of a record known (a quoted field may span lines).
      on_record: (record: string[], context) => {
        onRecord(record, context.lines);
        return null;
      },
    });
  } catch (error) {
    if (error instanceof ExportDataError) throw error;
    if (error instanceof CsvError) {
      const lines: unknown = error.lines;
      throw new ExportDataError(file, typeof lines === 'number' ? lines : undefined, error.message, { cause: error });
    }
    throw error;
  }
  if (!columns) throw new ExportDataError(file, undefined, `empty file; expected the header ${INTERACTIONS_COLUMNS.join(',')}`);
  return rows;
}

function headerOf(file: string, record: readonly string[], line: number): Map<string, number> {
  const expected = new Set<string>(INTERACTIONS_COLUMNS);
  const unknown = record.filter((name) => !expected.has(name));
  const missing = INTERACTIONS_COLUMNS.filter((name) => !record.includes(name));
  if (unknown.length > 0 || missing.length > 0 || record.length !== expected.size) {
    throw new ExportDataError(file, line, `the header must name the columns ${INTERACTIONS_COLUMNS.join(',')}, got ${JSON.stringify(record.join(','))}`);
  }
  return new Map(record.map((name, i) => [name, i]));
}

/** A row without a time took place when the row before it did; leading ones when the first timed row did. */
function filledTimes(rows: readonly InteractionRow[]): (number | undefined)[] {
  let last = rows.find((row) => row.atMs !== undefined)?.atMs;
  return rows.map((row) => (last = row.atMs ?? last));
}

/** An item as the eval's Book: goodbooks' own fields (tags, years, counts) are empty, as an export has none. */
function bookOf(event: ItemUpserted, bookId: number): Book {
  const categories = event.categories ?? [];
  return {
    bookId,
    goodreadsBookId: bookId,
    title: event.title,
    authors: event.authors ?? [],
    primaryGenre: categories[0] ?? null,
    genres: categories,
    tags: [],
    publicationYear: null,
    ratingsCount: 0,
    languageCode: null,
  };
}
