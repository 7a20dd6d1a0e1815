import { itemEmbeddingText } from '@coldstart/embeddings';
import { type Book, bookItemEvent, FOLD_NAMES, loadFold } from '@coldstart/goodbooks';

/**
 * Every distinct book of the three shipped folds as the embed pool encodes it (the catalog
 * event's itemEmbeddingText), in a fixed order. The fixtures' tokenizer vocabulary is built from
 * these, so a fixture is a function of the data directory alone (regenerated identically by any
 * process), and the benchmarks encode exactly the text production does.
 */
export async function catalogTexts(options: { dataDir?: string } = {}): Promise<string[]> {
  const byId = new Map<number, Book>();
  for (const name of FOLD_NAMES) {
    const fold = await loadFold(name, options);
    for (const book of fold.books) byId.set(book.bookId, book);
  }
  return [...byId.values()].sort((a, b) => a.bookId - b.bookId).map((book) => itemEmbeddingText(bookItemEvent(book, `catalog-${book.bookId}`, '2017-01-01T00:00:00Z')));
}
