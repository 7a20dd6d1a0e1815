import type { Rating } from '@coldstart/goodbooks';

/**
 * What the training ratings teach: how many training users rated each book, and which books
 * each training user rated (for co-occurrence). Nothing here ever sees a test user's rating.
 */
export class TrainingStats {
  /** Training users who rated each book (book ids as strings, like catalog item ids). */
  readonly popularity: ReadonlyMap<string, number>;
  readonly users: number;
  private readonly usersByItem = new Map<string, number[]>();
  private readonly itemsByUser = new Map<number, string[]>();
  private readonly cooccurrence = new Map<string, Map<string, number>>();

  constructor(training: readonly Pick<Rating, 'userId' | 'bookId'>[]) {
    const popularity = new Map<string, number>();
    for (const { userId, bookId } of training) {
      const itemId = String(bookId);
      popularity.set(itemId, (popularity.get(itemId) ?? 0) + 1);
      push(this.usersByItem, itemId, userId);
      push(this.itemsByUser, userId, itemId);
    }
    this.popularity = popularity;
    this.users = this.itemsByUser.size;
  }

  /** Training users who rated both `itemId` and each other book; computed once per seed. */
  coRated(itemId: string): ReadonlyMap<string, number> {
    let counts = this.cooccurrence.get(itemId);
    if (!counts) {
      counts = new Map();
      for (const userId of this.usersByItem.get(itemId) ?? []) {
        for (const other of this.itemsByUser.get(userId) ?? []) if (other !== itemId) counts.set(other, (counts.get(other) ?? 0) + 1);
      }
      this.cooccurrence.set(itemId, counts);
    }
    return counts;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
