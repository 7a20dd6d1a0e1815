import { hash } from 'node:crypto';
import { canonicalDateTime, EVENT_LIMITS, idProblem, parseEventBody, parseIsoDateTime } from '@coldstart/events';
import type { LearnedInteraction } from '@coldstart/pipeline';

/** `csv`: a header `userId,itemId,rating,occurredAt`, then one interaction a row; `jsonl`: one `user.interaction` body a line. */
export const IMPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export type RowResult = { ok: true; interaction: LearnedInteraction } | { ok: false; error: string };

/** A file's format from `--format`, else its extension. */
export function importFormat(file: string | undefined, format: ImportFormat | undefined): ImportFormat {
  if (format) return format;
  const extension = /\.([^./\\]+)$/.exec(file ?? '')?.[1]?.toLowerCase();
  if (extension === 'csv') return 'csv';
  if (extension === 'jsonl' || extension === 'ndjson') return 'jsonl';
  throw new Error(file === undefined ? 'reading stdin: say --format csv or --format jsonl' : `cannot tell the format of ${file} from its extension: say --format csv or --format jsonl`);
}

/**
 * What makes an imported row unique when it has no eventId: its user, item and time (canonical
 * UTC, or empty when the row gave none), so importing the same file again changes nothing.
 */
export function importEventId(userId: string, itemId: string, occurredAt: string): string {
  return `import:${hash('sha256', JSON.stringify([userId, itemId, occurredAt]))}`;
}

/** One line of CSV (RFC 4180 quoting: `"a,b"`, `"say ""hi"""`); undefined when a quote is left open or stray. */
export function splitCsvLine(text: string): string[] | undefined {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (text[at] === '"') {
      let value = '';
      at += 1;
      for (;;) {
        const close = text.indexOf('"', at);
        if (close < 0) return undefined;
        value += text.slice(at, close);
        at = close + 1;
        if (text[at] !== '"') break;
        value += '"';
        at += 1;
      }
      fields.push(value);
      if (at === text.length) return fields;
      if (text[at] !== ',') return undefined;
      at += 1;
    } else {
      const comma = text.indexOf(',', at);
      const value = text.slice(at, comma < 0 ? text.length : comma);
      if (value.includes('"')) return undefined;
      fields.push(value);
      if (comma < 0) return fields;
      at = comma + 1;
    }
  }
}

const COLUMNS = ['userId', 'itemId', 'rating', 'occurredAt'] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED: readonly Column[] = ['userId', 'itemId'];

/** The header is wrong: nothing of the file can be read, so the import stops. */
export class CsvHeaderError extends Error {
  override readonly name = 'CsvHeaderError';
}

const idError = (column: string, value: string): string | undefined => {
  const problem = idProblem(value, EVENT_LIMITS.idLength);
  return problem === undefined ? undefined : `${column} ${problem}`;
};

/**
 * The CSV form: a header naming `userId` and `itemId` and optionally `rating` and `occurredAt`
 * (in any order), then one interaction a row. Each field is checked as the event contract checks
 * a `user.interaction`'s: ids of 1–128 characters without control characters, a rating 1–5 or
 * empty (empty: a positive signal), an ISO-8601 time with a zone or empty (empty: `now`).
 */
export class CsvInteractions {
  private columns: Partial<Record<Column, number>> | undefined;
  private width = 0;

  /** `now`: the time of rows without one (one instant for the whole import). */
  constructor(private readonly now: string) {}

  /** False for the header line (the first), which sets the columns; true for a data row. */
  isData(text: string): boolean {
    if (this.columns) return true;
    const names = splitCsvLine(text);
    if (!names) throw new CsvHeaderError('the CSV header is not valid CSV');
    const columns: Partial<Record<Column, number>> = {};
    for (const [index, raw] of names.entries()) {
      const name = raw.trim();
      if (!(COLUMNS as readonly string[]).includes(name)) throw new CsvHeaderError(`the CSV header names an unknown column ${JSON.stringify(name)}: use ${COLUMNS.join(',')}`);
      if (columns[name as Column] !== undefined) throw new CsvHeaderError(`the CSV header names ${name} twice`);
      columns[name as Column] = index;
    }
    const missing = REQUIRED.filter((name) => columns[name] === undefined);
    if (missing.length > 0) throw new CsvHeaderError(`the CSV header lacks ${missing.join(' and ')}: use ${COLUMNS.join(',')}`);
    this.columns = columns;
    this.width = names.length;
    return false;
  }

  row(text: string): RowResult {
    const fields = splitCsvLine(text);
    if (!fields) return { ok: false, error: 'not valid CSV (a quote is left open or stray)' };
    if (fields.length !== this.width) return { ok: false, error: `has ${fields.length} fields, the header ${this.width}` };
    const field = (column: Column) => {
      const index = this.columns?.[column];
      return index === undefined ? '' : (fields[index] ?? '');
    };
    const [userId, itemId] = [field('userId'), field('itemId')];
    const ratingText = field('rating').trim();
    const occurredAtText = field('occurredAt').trim();
    const rating = ratingText === '' ? undefined : Number(ratingText);
    const atMs = occurredAtText === '' ? undefined : parseIsoDateTime(occurredAtText);
    const error =
      idError('userId', userId) ??
      idError('itemId', itemId) ??
      (rating !== undefined && !(/^\d$/.test(ratingText) && rating >= 1 && rating <= 5) ? `rating ${JSON.stringify(ratingText)} must be an integer 1–5 or empty` : undefined) ??
      (occurredAtText !== '' && atMs === undefined ? `occurredAt ${JSON.stringify(occurredAtText)} must be an ISO-8601 date-time with a zone, or empty` : undefined);
    if (error !== undefined) return { ok: false, error };
    // canonicalDateTime's form, from the one parse.
    const occurredAt = atMs === undefined ? '' : new Date(atMs).toISOString();
    return {
      ok: true,
      interaction: { eventId: importEventId(userId, itemId, occurredAt), userId, itemId, ...(rating !== undefined ? { rating } : {}), occurredAt: occurredAt || this.now },
    };
  }
}

/** The JSON-lines form: one `user.interaction` body a line, checked as the ingest checks it; its eventId is the interaction's. */
export function jsonlInteraction(text: string): RowResult {
  const parsed = parseEventBody(text);
  if (!parsed.ok) return parsed;
  const { event } = parsed;
  if (event.type !== 'user.interaction') return { ok: false, error: `is an event of type ${event.type}; only user.interaction bodies are interactions` };
  return {
    ok: true,
    interaction: {
      eventId: event.eventId,
      userId: event.userId,
      itemId: event.itemId,
      ...(event.rating != null ? { rating: event.rating } : {}),
      occurredAt: canonicalDateTime(event.occurredAt),
    },
  };
}
