import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parseEventBody, type ItemUpserted } from '@coldstart/events';
import type { Book } from '@coldstart/goodbooks';
import { CsvHeaderError, CsvInteractions, numberedLines } from '@coldstart/ops';
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

/** One row of interactions.csv, checked. */
interface InteractionRow {
  line: number;
  userId: string;
  itemId: string;
  /** 1–5; undefined when the cell is empty (a positive signal without stars). */
  rating: number | undefined;
  /** undefined when the cell is empty. */
  atMs: number | undefined;
}


/**
 * `coldstart eval --data DIR`: a team's own export in the shapes the goodbooks loader gives.
 * `DIR/items.jsonl` holds one item.upserted body per line, checked with the ingest's own
 * parser; each item is a Book (its first category the primary genre) ingested as that very
 * body. `DIR/interactions.csv` holds `userId,itemId,rating,occurredAt` rows in time order,
 * each checked as `coldstart interactions import` checks it, and naming an item of items.jsonl.
 * A row without a time is stamped as that import would stamp it, with the moment of the import,
 * taken to be right after the export's last time; an export with no times at all is treated as
 * goodbooks is, every interaction at one instant. The first bad line stops the load with the
 * file, line and reason.
 */
export async function loadExport(dir: string): Promise<EvalData> {
  const read = <T>(name: string, parse: (file: string, input: NodeJS.ReadableStream) => Promise<T>) => {
    const file = join(dir, name);
    return parse(file, createReadStream(file)).catch((error: unknown) => {
      throw unreadable(file, error);
    });
  };
  const events = await read('items.jsonl', parseItems);
  const rows = await read('interactions.csv', (file, input) => parseInteractions(file, input, events));

  const items = IdSpace.of(events.keys());
  const users = IdSpace.of(rows.map((row) => row.userId));
  const byBook = new Map([...events.values()].map((event) => [items.number(event.itemId), event]));
  const books = [...byBook].map(([bookId, event]) => bookOf(event, bookId));
  // Timed rows are in order, so the last is the latest.
  const importedAt = rows.findLast((row) => row.atMs !== undefined)?.atMs;
  const ratings = rows.map((row): EvalRating => ({ userId: users.number(row.userId), bookId: items.number(row.itemId), rating: row.rating, atMs: row.atMs ?? importedAt }));
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

/** A file that could not be read, named; a bad line's error passes as it is. */
function unreadable(file: string, error: unknown): Error {
  if (error instanceof ExportDataError) return error;
  const problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
  return new ExportDataError(file, undefined, problem, { cause: error });
}

/** Each non-blank line an item.upserted body; an item id at most once. */
async function parseItems(file: string, input: NodeJS.ReadableStream): Promise<Map<string, ItemUpserted>> {
  const events = new Map<string, ItemUpserted>();
  const lineOf = new Map<string, number>();
  for await (const { line, text } of numberedLines(input)) {
    const parsed = parseEventBody(text);
    if (!parsed.ok) throw new ExportDataError(file, line, parsed.error);
    const event = parsed.event;
    if (event.type !== 'item.upserted') throw new ExportDataError(file, line, `a ${event.type} event; items.jsonl holds item.upserted bodies only`);
    const earlier = lineOf.get(event.itemId);
    if (earlier !== undefined) throw new ExportDataError(file, line, `itemId ${JSON.stringify(event.itemId)} is already on line ${earlier}; one line per item`);
    events.set(event.itemId, event);
    lineOf.set(event.itemId, line);
  }
  if (events.size === 0) throw new ExportDataError(file, undefined, 'no items');
  return events;
}

/** Checked rows of interactions.csv: as the import checks them, naming items the catalog holds, timed rows in time order. */
async function parseInteractions(file: string, input: NodeJS.ReadableStream, items: ReadonlyMap<string, unknown>): Promise<InteractionRow[]> {
  // No `now`: a row without a time keeps none here, and loadExport stamps it.
  const csv = new CsvInteractions('');
  const rows: InteractionRow[] = [];
  let lastTime: { atMs: number; line: number; occurredAt: string } | undefined;
  let header = false;
  for await (const { line, text } of numberedLines(input)) {
    const fail = (reason: string): never => {
      throw new ExportDataError(file, line, reason);
    };
    try {
      if (!csv.isData(text)) {
        header = true;
        continue;
      }
    } catch (error) {
      if (error instanceof CsvHeaderError) fail(error.message);
      throw error;
    }
    const row = csv.row(text);
    if (!row.ok) return fail(row.error);
    const { userId, itemId, rating, occurredAt } = row.interaction;
    if (!items.has(itemId)) fail(`itemId ${JSON.stringify(itemId)} is not in items.jsonl`);
    const atMs = occurredAt === '' ? undefined : Date.parse(occurredAt);
    if (atMs !== undefined) {
      if (lastTime && atMs < lastTime.atMs) fail(`occurredAt ${occurredAt} is before line ${lastTime.line}'s ${lastTime.occurredAt}: rows must be in time order`);
      lastTime = { atMs, line, occurredAt };
    }
    rows.push({ line, userId, itemId, rating, atMs });
  }
  if (!header) throw new ExportDataError(file, undefined, 'empty file; expected the header userId,itemId,rating,occurredAt');
  return rows;
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
