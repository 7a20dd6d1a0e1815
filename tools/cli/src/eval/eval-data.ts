import type { ItemUpserted } from '@coldstart/events';
import type { Book, Fold, FoldName } from '@coldstart/goodbooks';
import { itemEvent } from '../workload/demo-events.js';
import type { EvalFold, EvalRating } from './eval-protocol.js';

const WHOLE_NUMBER = /^(?:0|[1-9]\d*)$/;

/**
 * The eval keys users and items by number (the split hashes user ids, the metrics compare book
 * ids); an export may name them with any string. Ids that are all whole numbers are used as
 * they are, so an export of a goodbooks fold splits and dumps exactly as the fold does; any
 * other id space is numbered 1, 2, … in order of first appearance (appending rows to an export
 * never renumbers an earlier id), and `name` gives the export's own spelling back.
 */
export class IdSpace {
  /** Goodbooks' ids: already numbers. */
  static readonly WHOLE_NUMBERS = new IdSpace(undefined);

  private constructor(private readonly spelled: { numbers: Map<string, number>; names: string[] } | undefined) {}

  static of(ids: Iterable<string>): IdSpace {
    const distinct = [...new Set(ids)];
    if (distinct.every((id) => WHOLE_NUMBER.test(id) && Number.isSafeInteger(Number(id)))) return IdSpace.WHOLE_NUMBERS;
    return new IdSpace({ numbers: new Map(distinct.map((id, i) => [id, i + 1])), names: distinct });
  }

  /** The eval's number for an id of this space (every id was given to `of`). */
  number(id: string): number {
    const n = this.spelled ? this.spelled.numbers.get(id) : Number(id);
    if (n === undefined) throw new Error(`id ${JSON.stringify(id)} was not in the export`);
    return n;
  }

  /** The id as the data spells it: the number itself for whole-number ids. */
  name(n: number): number | string {
    return this.spelled ? (this.spelled.names[n - 1] ?? String(n)) : n;
  }
}

/** What `coldstart eval` measures on: a goodbooks fold, or a team's own export (load-export.ts) in the same shapes. */
export interface EvalData extends EvalFold {
  /** What the report names it by. */
  source: { fold: FoldName } | { data: string };
  books: Book[];
  ratings: EvalRating[];
  /** The item.upserted body the catalog ingests for a book. */
  itemEvent: (book: Book) => ItemUpserted;
  users: IdSpace;
  items: IdSpace;
}

/** Goodbooks has no timestamps: every item event is taken to happen at one instant. */
export const FOLD_OCCURRED_AT = '2017-01-01T00:00:00Z';

/** A goodbooks book as the demo ingests it. */
export const foldItemEvent = (book: Book): ItemUpserted => itemEvent(book, 'eval', FOLD_OCCURRED_AT);

/** A goodbooks fold, in the shapes the eval reads. */
export function goodbooksData(fold: Fold): EvalData {
  return {
    source: { fold: fold.name },
    books: fold.books,
    ratings: fold.ratings,
    itemEvent: foldItemEvent,
    users: IdSpace.WHOLE_NUMBERS,
    items: IdSpace.WHOLE_NUMBERS,
  };
}
