import path from 'node:path';
import { defaultDataDir } from './data-dir.js';
import { GoodbooksDataError } from './data-error.js';
import { forEachCsvRow, readCsvFile } from './read-csv.js';
import { type Book, type Fold, FOLD_NAMES, type FoldName, type Rating } from './types.js';

const MAX_TAGS = 10;

interface BookRow {
  bookId: number;
  goodreadsBookId: number;
  title: string;
  authors: string[];
  publicationYear: number | null;
  ratingsCount: number;
  languageCode: string | null;
}

interface GenreRow {
  bookId: number;
  primaryGenre: string | null;
  genres: string[];
}

/** The fold-independent files, parsed once per data directory. */
interface Catalogue {
  books: Map<number, BookRow>;
  genres: Map<number, GenreRow>;
  /** tag_id → tag_name for the shelves genre_map.csv counts as content. */
  contentTags: Map<number, string>;
}

// books.csv alone costs ~0.3 s to parse and is the same for every fold; the evaluation loads all
// three folds in one process. Keyed by resolved directory; the data is read-only at run time.
const catalogues = new Map<string, Promise<Catalogue>>();

export async function loadFold(name: FoldName, options: { dataDir?: string } = {}): Promise<Fold> {
  // The CLI passes user input through here, so the union type alone is not enough.
  if (!FOLD_NAMES.includes(name)) {
    throw new Error(`unknown fold ${JSON.stringify(name)}; expected one of ${FOLD_NAMES.join(', ')}`);
  }
  const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
  const ratingsFile = path.join(dataDir, `fold_${name}`, 'ratings.csv');
  const tagsFile = path.join(dataDir, `fold_${name}`, 'book_tags.csv');
  const [catalogue, ratingsContent, tagsContent] = await Promise.all([
    loadCatalogue(dataDir),
    readCsvFile(ratingsFile),
    readCsvFile(tagsFile),
  ]);

  const ratings: Rating[] = [];
  forEachCsvRow(ratingsFile, ratingsContent, ['user_id', 'book_id', 'rating'], (row) => {
    const userId = row.integer('user_id', { min: 1 });
    const bookId = row.integer('book_id', { min: 1 });
    const rating = row.integer('rating', { min: 1, max: 5 });
    if (!catalogue.books.has(bookId)) {
      throw new GoodbooksDataError(ratingsFile, row.line, `book_id ${bookId} is not in books.csv`);
    }
    ratings.push({ userId, bookId, rating });
  });

  const ratedByGoodreadsId = new Map<number, BookRow>();
  for (const { bookId } of ratings) {
    const book = catalogue.books.get(bookId);
    if (book !== undefined) ratedByGoodreadsId.set(book.goodreadsBookId, book);
  }

  // Every row is validated, but the few unrated extra books the file carries are not kept.
  const tagCounts = new Map<number, { name: string; count: number }[]>();
  forEachCsvRow(tagsFile, tagsContent, ['goodreads_book_id', 'tag_id', 'count'], (row) => {
    const goodreadsBookId = row.integer('goodreads_book_id', { min: 1 });
    const tagId = row.integer('tag_id', { min: 0 });
    const count = row.integer('count', { min: 0 });
    const tagName = catalogue.contentTags.get(tagId);
    if (tagName === undefined || !ratedByGoodreadsId.has(goodreadsBookId)) return;
    let list = tagCounts.get(goodreadsBookId);
    if (list === undefined) tagCounts.set(goodreadsBookId, (list = []));
    list.push({ name: tagName, count });
  });

  const genresFile = path.join(dataDir, 'book_genres.csv');
  const books = [...ratedByGoodreadsId.values()]
    .sort((left, right) => left.bookId - right.bookId)
    .map((book): Book => {
      const genre = catalogue.genres.get(book.bookId);
      if (genre === undefined) {
        throw new GoodbooksDataError(genresFile, undefined, `no row for book_id ${book.bookId}, rated in fold ${name}`);
      }
      // The file is already sorted by count, but sort (stably) so correctness does not rest on it.
      const tags = (tagCounts.get(book.goodreadsBookId) ?? [])
        .sort((left, right) => right.count - left.count)
        .slice(0, MAX_TAGS)
        .map((tag) => tag.name);
      return { ...book, authors: [...book.authors], primaryGenre: genre.primaryGenre, genres: [...genre.genres], tags };
    });

  return { name, books, ratings };
}

function loadCatalogue(dataDir: string): Promise<Catalogue> {
  const cached = catalogues.get(dataDir);
  if (cached !== undefined) return cached;
  const pending = readCatalogue(dataDir);
  catalogues.set(dataDir, pending);
  // Forget failures so a fixed file is picked up by the next call instead of a cached rejection.
  pending.catch(() => {
    if (catalogues.get(dataDir) === pending) catalogues.delete(dataDir);
  });
  return pending;
}

async function readCatalogue(dataDir: string): Promise<Catalogue> {
  const booksFile = path.join(dataDir, 'books.csv');
  const genresFile = path.join(dataDir, 'book_genres.csv');
  const genreMapFile = path.join(dataDir, 'genre_map.csv');
  const [booksContent, genresContent, genreMapContent] = await Promise.all([
    readCsvFile(booksFile),
    readCsvFile(genresFile),
    readCsvFile(genreMapFile),
  ]);

  const bookColumns = ['book_id', 'goodreads_book_id', 'title', 'authors', 'original_publication_year', 'language_code', 'ratings_count'];
  const books = new Map<number, BookRow>();
  forEachCsvRow(booksFile, booksContent, bookColumns, (row) => {
    const book: BookRow = {
      bookId: row.integer('book_id', { min: 1 }),
      goodreadsBookId: row.integer('goodreads_book_id', { min: 1 }),
      title: row.text('title'),
      authors: row.text('authors').split(', '),
      publicationYear: row.optionalWholeNumber('original_publication_year'),
      ratingsCount: row.integer('ratings_count', { min: 0 }),
      languageCode: row.optionalText('language_code'),
    };
    if (books.has(book.bookId)) throw new GoodbooksDataError(booksFile, row.line, `duplicate book_id ${book.bookId}`);
    books.set(book.bookId, book);
  });

  const genres = new Map<number, GenreRow>();
  forEachCsvRow(genresFile, genresContent, ['book_id', 'primary_genre', 'genres'], (row) => {
    const bookId = row.integer('book_id', { min: 1 });
    const genreList = row.optionalText('genres');
    genres.set(bookId, {
      bookId,
      primaryGenre: row.optionalText('primary_genre'),
      genres: genreList === null ? [] : genreList.split('|'),
    });
  });

  const contentTags = new Map<number, string>();
  forEachCsvRow(genreMapFile, genreMapContent, ['tag_id', 'tag_name', 'genre'], (row) => {
    row.text('genre');
    contentTags.set(row.integer('tag_id', { min: 0 }), row.text('tag_name'));
  });

  return { books, genres, contentTags };
}
