import { type Book, FOLD_NAMES, loadFold } from '@coldstart/goodbooks';

/**
 * How a catalog book becomes encoder input: title, authors, genres and shelves on one line.
 * Exported so workers, benchmarks and tests feed the encoder the same kind of text.
 */
export function bookText(book: Book): string {
  const parts = [`${book.title} by ${book.authors.join(', ')}`];
  if (book.genres.length > 0) parts.push(`Genres: ${book.genres.join(', ')}`);
  if (book.tags.length > 0) parts.push(`Shelves: ${book.tags.join(', ')}`);
  return `${parts.join('. ')}.`;
}

/**
 * Every distinct book text of the three shipped folds, in a fixed order. This is what the
 * fixtures' tokenizer vocabulary is built from, so a fixture is a function of the data
 * directory alone (and is regenerated identically by any process).
 */
export async function catalogTexts(options: { dataDir?: string } = {}): Promise<string[]> {
  const byId = new Map<number, Book>();
  for (const name of FOLD_NAMES) {
    const fold = await loadFold(name, options);
    for (const book of fold.books) byId.set(book.bookId, book);
  }
  return [...byId.values()].sort((a, b) => a.bookId - b.bookId).map(bookText);
}
