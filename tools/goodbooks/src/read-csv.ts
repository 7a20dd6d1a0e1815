import { readFile } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse/sync';
import { GoodbooksDataError } from './data-error.js';

/** Reads one field of the current row by column name; throws with file and line when invalid. */
export interface RowReader {
  readonly line: number;
  text(column: string): string;
  optionalText(column: string): string | null;
  integer(column: string, range?: { min?: number; max?: number }): number;
  /** Accepts the float-printed years of books.csv ("2008.0") but only whole values. */
  optionalWholeNumber(column: string): number | null;
}

const INTEGER = /^-?\d+$/;
const WHOLE_NUMBER = /^-?\d+(?:\.0*)?$/;

export async function readCsvFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new GoodbooksDataError(file, undefined, problem, { cause: error });
  }
}

/**
 * Parses `content` (the bytes of `file`) and calls `visit` for each data row, checking the header
 * for `columns` first. Rows are visited inside csv-parse's on_record hook because only there is
 * the true line number known (quoted fields may span lines), and because it avoids keeping an
 * array of raw records for 233k-row files.
 */
export function forEachCsvRow(
  file: string,
  content: Buffer,
  columns: readonly string[],
  visit: (row: RowReader) => void,
): void {
  let indexOf: Map<string, number> | undefined;
  let fields: string[] = [];
  let line = 0;

  const field = (column: string): string => {
    // The header check guarantees the column exists and csv-parse guarantees equal row lengths.
    return fields[indexOf?.get(column) ?? -1] ?? '';
  };
  const fail = (column: string, expected: string): never => {
    throw new GoodbooksDataError(file, line, `${column} must be ${expected}, got ${JSON.stringify(field(column))}`);
  };
  const reader: RowReader = {
    get line() {
      return line;
    },
    text(column) {
      const value = field(column);
      return value === '' ? fail(column, 'non-empty') : value;
    },
    optionalText(column) {
      const value = field(column);
      return value === '' ? null : value;
    },
    integer(column, range = {}) {
      const raw = field(column);
      const value = INTEGER.test(raw) ? Number(raw) : Number.NaN;
      const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        return fail(column, describeRange(min, max));
      }
      return value;
    },
    optionalWholeNumber(column) {
      const raw = field(column);
      if (raw === '') return null;
      const value = WHOLE_NUMBER.test(raw) ? Number(raw) : Number.NaN;
      return Number.isSafeInteger(value) ? value : fail(column, 'a whole number or empty');
    },
  };

  try {
    parse(content, {
      bom: true,
      skip_empty_lines: true,
      on_record: (record, context) => {
        fields = record;
        line = context.lines;
        if (indexOf === undefined) {
          indexOf = new Map(record.map((name, index) => [name, index]));
          const missing = columns.filter((column) => !indexOf?.has(column));
          if (missing.length > 0) {
            throw new GoodbooksDataError(file, line, `header lacks column(s) ${missing.join(', ')}`);
          }
        } else {
          visit(reader);
        }
        // Returning null drops the raw record so csv-parse does not build an array we never use.
        return null;
      },
    });
  } catch (error) {
    if (error instanceof GoodbooksDataError) throw error;
    if (error instanceof CsvError) {
      const lines: unknown = error.lines;
      throw new GoodbooksDataError(file, typeof lines === 'number' ? lines : undefined, error.message, { cause: error });
    }
    throw error;
  }
  if (indexOf === undefined) throw new GoodbooksDataError(file, undefined, 'empty file, expected a header row');
}

function describeRange(min: number, max: number): string {
  if (min === Number.MIN_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER) return 'an integer';
  if (max === Number.MAX_SAFE_INTEGER) return `an integer >= ${min}`;
  return `an integer from ${min} to ${max}`;
}
