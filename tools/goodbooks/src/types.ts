export type FoldName = 'a' | 'b' | 'c';

export const FOLD_NAMES: readonly FoldName[] = ['a', 'b', 'c'];

export interface Book {
  bookId: number;
  goodreadsBookId: number;
  /** books.csv `title`; often ends with the series, e.g. "(The Hunger Games, #1)". */
  title: string;
  authors: string[];
  /** Null only for books without genre-mapped tags; every fold book has one. */
  primaryGenre: string | null;
  /** Canonical genres, best first (book_genres.csv `genres`). */
  genres: string[];
  /**
   * The book's most-counted shelves in the fold's book_tags.csv that are real content shelves
   * (listed in genre_map.csv), count descending, at most 10. Raw shelves such as `to-read` are
   * dropped because they say nothing about the book.
   */
  tags: string[];
  /** books.csv `original_publication_year`; negative for BCE. */
  publicationYear: number | null;
  /** books.csv `ratings_count`: Goodreads' own count at crawl time, not the ratings in the fold. */
  ratingsCount: number;
  languageCode: string | null;
}

export interface Rating {
  userId: number;
  bookId: number;
  /** Integer 1–5. */
  rating: number;
}

export interface Fold {
  name: FoldName;
  /** Only the books that have ratings in this fold, by ascending bookId. */
  books: Book[];
  /** File order, which is time order; there are no timestamps. */
  ratings: Rating[];
}
