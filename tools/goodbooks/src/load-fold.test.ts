import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { defaultDataDir, type Fold, type FoldName, GoodbooksDataError, loadFold, usersWithMinRatings } from './index.js';

interface FoldStats {
  ratings: number;
  users: number;
  books: number;
  users_ge: Record<string, number>;
  ratings_of_users_ge5: number;
  max_ratings_per_user: number;
  rating_histogram: Record<string, number>;
  fold_books_with_primary_genre: number;
}

const dataDir = defaultDataDir();
const foldStats = JSON.parse(readFileSync(path.join(dataDir, 'fold_stats.json'), 'utf8')) as Record<string, FoldStats>;

// Loading is ~0.2–0.7 s per fold; share one load per fold across tests.
const loaded = new Map<FoldName, Promise<Fold>>();
function fold(name: FoldName): Promise<Fold> {
  let pending = loaded.get(name);
  if (pending === undefined) loaded.set(name, (pending = loadFold(name)));
  return pending;
}

/** Data lines of a quote-free CSV, split naively: an independent reading to check the loader against. */
function plainRows(file: string): string[][] {
  const lines = readFileSync(path.join(dataDir, file), 'utf8').split('\n').slice(1);
  return lines.filter((line) => line !== '').map((line) => line.split(','));
}

describe('defaultDataDir', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('finds the data shipped in the repo', () => {
    expect(path.basename(dataDir)).toBe('goodbooks10k-subsets');
    expect(path.basename(path.dirname(dataDir))).toBe('data');
    expect(readFileSync(path.join(dataDir, 'books.csv'), 'utf8')).toMatch(/^book_id,goodreads_book_id,/);
  });

  it('is overridden by COLDSTART_DATA_DIR', () => {
    vi.stubEnv('COLDSTART_DATA_DIR', '/somewhere/else');
    expect(defaultDataDir()).toBe(path.resolve('/somewhere/else'));
  });
});

describe.each(['a', 'b', 'c'] as const)('fold %s against fold_stats.json', (name) => {
  const stats = foldStats[`fold_${name}`];

  it('has the published book, rating and user counts', async () => {
    expect(stats).toBeDefined();
    if (stats === undefined) return;
    const loadedFold = await fold(name);
    expect(loadedFold.name).toBe(name);
    expect(loadedFold.books).toHaveLength(stats.books);
    expect(loadedFold.ratings).toHaveLength(stats.ratings);
    expect(usersWithMinRatings(loadedFold, 1)).toHaveLength(stats.users);
    for (const [min, count] of Object.entries(stats.users_ge)) {
      expect(usersWithMinRatings(loadedFold, Number(min)), `users with >= ${min}`).toHaveLength(count);
    }
    const usersGe5 = usersWithMinRatings(loadedFold, 5);
    expect(usersGe5.reduce((sum, user) => sum + user.ratings.length, 0)).toBe(stats.ratings_of_users_ge5);
    expect(Math.max(...usersWithMinRatings(loadedFold, 1).map((user) => user.ratings.length))).toBe(
      stats.max_ratings_per_user,
    );
    const histogram: Record<string, number> = {};
    for (const { rating } of loadedFold.ratings) histogram[rating] = (histogram[rating] ?? 0) + 1;
    expect(histogram).toEqual(stats.rating_histogram);
  });

  it('keeps only rated books, each with a primary genre and filtered tags', async () => {
    const loadedFold = await fold(name);
    const rated = new Set(loadedFold.ratings.map((rating) => rating.bookId));
    expect(loadedFold.books.map((book) => book.bookId)).toEqual([...rated].sort((x, y) => x - y));
    // The file carries 3–5 extra unrated books; they must not leak in.
    const taggedBooks = new Set(plainRows(`fold_${name}/book_tags.csv`).map((row) => row[0]));
    expect(taggedBooks.size - loadedFold.books.length).toBeGreaterThanOrEqual(3);
    expect(taggedBooks.size - loadedFold.books.length).toBeLessThanOrEqual(5);
    expect(loadedFold.books.filter((book) => book.primaryGenre !== null)).toHaveLength(
      stats?.fold_books_with_primary_genre ?? -1,
    );
  });

  it('takes tags from the fold file: content shelves only, by count, at most 10', async () => {
    const loadedFold = await fold(name);
    const contentTags = new Map(plainRows('genre_map.csv').map(([tagId, tagName]) => [tagId, tagName]));
    const expected = new Map<string, string[]>();
    // The fold file is sorted by book then count descending, so file order is the expected order.
    for (const [goodreadsId = '', tagId = ''] of plainRows(`fold_${name}/book_tags.csv`)) {
      const tagName = contentTags.get(tagId);
      if (tagName === undefined) continue;
      const list = expected.get(goodreadsId) ?? [];
      if (list.length < 10) list.push(tagName);
      expected.set(goodreadsId, list);
    }
    for (const book of loadedFold.books) {
      expect(book.tags, book.title).toEqual(expected.get(String(book.goodreadsBookId)) ?? []);
    }
    expect(loadedFold.books.every((book) => book.tags.length > 0)).toBe(true);
  });
});

describe('fold a contents', () => {
  it('starts with user 8 rating book 2584 five stars, as the file does', async () => {
    const firstDataLine = readFileSync(path.join(dataDir, 'fold_a', 'ratings.csv'), 'utf8').split('\n')[1];
    expect(firstDataLine).toBe('8,2584,5');
    const a = await fold('a');
    expect(a.ratings[0]).toEqual({ userId: 8, bookId: 2584, rating: 5 });
    expect(usersWithMinRatings(a, 1)[0]?.userId).toBe(8);
  });

  it('orders users by first rating and keeps each user’s ratings in file order', async () => {
    const a = await fold('a');
    const users = usersWithMinRatings(a, 5);
    const firstIndex = new Map<number, number>();
    a.ratings.forEach((rating, index) => {
      if (!firstIndex.has(rating.userId)) firstIndex.set(rating.userId, index);
    });
    const starts = users.map((user) => firstIndex.get(user.userId) ?? -1);
    expect(starts.every((start, index) => index === 0 || start > (starts[index - 1] ?? Infinity))).toBe(true);
    for (const user of users.slice(0, 50)) {
      expect(user.ratings).toEqual(a.ratings.filter((rating) => rating.userId === user.userId));
      expect(user.ratings[0]).toBe(a.ratings[firstIndex.get(user.userId) ?? -1]);
    }
  });

  it('describes known titles sensibly', async () => {
    const a = await fold('a');
    const byId = (id: number) => a.books.find((book) => book.bookId === id);

    // The Hunger Games (book 1) is in none of the folds; fold a is the memoir-heavy one.
    expect(byId(1)).toBeUndefined();

    const diary = byId(15);
    expect(diary).toMatchObject({
      goodreadsBookId: 48855,
      title: 'The Diary of a Young Girl',
      authors: ['Anne Frank', 'Eleanor Roosevelt', 'B.M. Mooyaart-Doubleday'],
      publicationYear: 1947,
      languageCode: 'eng',
    });
    expect(diary?.genres).toContain('biography-memoir');
    expect(diary?.tags).toEqual(expect.arrayContaining(['memoir', 'history', 'classics']));

    const eatPrayLove = byId(40);
    expect(eatPrayLove?.title).toBe('Eat, Pray, Love');
    expect(eatPrayLove?.authors).toEqual(['Elizabeth Gilbert']);
    expect(eatPrayLove?.primaryGenre).toBe('biography-memoir');
    expect(eatPrayLove?.genres[0]).toBe('biography-memoir');
    expect(eatPrayLove?.genres).toContain('travel');
    expect(eatPrayLove?.tags).toEqual(expect.arrayContaining(['memoir', 'travel']));
    expect(eatPrayLove?.ratingsCount).toBeGreaterThan(1_000_000);

    for (const book of a.books) {
      expect(book.tags).not.toContain('to-read');
      expect(book.tags).not.toContain('favorites');
      expect(book.genres[0]).toBe(book.primaryGenre);
    }
  });

  it('knows The Kite Runner in fold b as historical fiction', async () => {
    const kiteRunner = (await fold('b')).books.find((book) => book.bookId === 11);
    expect(kiteRunner?.title).toBe('The Kite Runner');
    expect(kiteRunner?.primaryGenre).toBe('historical-fiction');
    expect(kiteRunner?.tags).toContain('historical-fiction');
  });
});

describe('loadFold on small fixtures', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'goodbooks-test-'));
  let fixtureCount = 0;

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const validRatings = 'user_id,book_id,rating\n7,2,4\n5,1,3\n7,1,5\n';

  /** Writes a tiny data directory; `overrides` replaces files by relative path. */
  function fixture(overrides: Record<string, string> = {}): string {
    const dir = path.join(root, String(fixtureCount++));
    const files: Record<string, string> = {
      // Columns in a different order from the real file: the loader must go by header name.
      'books.csv':
        'title,book_id,goodreads_book_id,authors,original_publication_year,language_code,ratings_count\n' +
        '"Odyssey, The",1,101,Homer,-720.0,,5000\n' +
        '"A Memoir (Series, #1)",2,102,"Ann Author, Bob Helper",2001.0,eng,42\n' +
        'Unrated,3,103,Nobody,,en-US,1\n',
      'book_genres.csv':
        'book_id,goodreads_book_id,title,authors,primary_genre,genres,genre_scores,fiction_nonfiction,tag_source\n' +
        '1,101,x,Homer,classics,classics|poetry,,fiction,top100_all_counts\n' +
        '2,102,x,y,biography-memoir,biography-memoir,,nonfiction,top100_all_counts\n' +
        '3,103,x,y,,,,,none\n',
      'genre_map.csv': 'tag_id,tag_name,genre\n10,classics,classics\n11,memoir,biography-memoir\n12,poetry,poetry\n',
      'fold_a/ratings.csv': validRatings,
      // Tag 99 is not a content shelf; book 103 is tagged but unrated and must be ignored.
      'fold_a/book_tags.csv':
        'goodreads_book_id,tag_id,count\n101,99,900\n101,12,50\n101,10,70\n102,11,8\n103,10,1000\n',
      ...overrides,
    };
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
    return dir;
  }

  async function loadError(dir: string): Promise<GoodbooksDataError> {
    const error: unknown = await loadFold('a', { dataDir: dir }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GoodbooksDataError);
    return error as GoodbooksDataError;
  }

  it('joins books, genres and tags', async () => {
    const loadedFold = await loadFold('a', { dataDir: fixture() });
    expect(loadedFold.ratings).toEqual([
      { userId: 7, bookId: 2, rating: 4 },
      { userId: 5, bookId: 1, rating: 3 },
      { userId: 7, bookId: 1, rating: 5 },
    ]);
    expect(loadedFold.books).toEqual([
      {
        bookId: 1,
        goodreadsBookId: 101,
        title: 'Odyssey, The',
        authors: ['Homer'],
        primaryGenre: 'classics',
        genres: ['classics', 'poetry'],
        tags: ['classics', 'poetry'],
        publicationYear: -720,
        ratingsCount: 5000,
        languageCode: null,
      },
      {
        bookId: 2,
        goodreadsBookId: 102,
        title: 'A Memoir (Series, #1)',
        authors: ['Ann Author', 'Bob Helper'],
        primaryGenre: 'biography-memoir',
        genres: ['biography-memoir'],
        tags: ['memoir'],
        publicationYear: 2001,
        ratingsCount: 42,
        languageCode: 'eng',
      },
    ]);
    expect(usersWithMinRatings(loadedFold, 2)).toEqual([
      {
        userId: 7,
        ratings: [
          { userId: 7, bookId: 2, rating: 4 },
          { userId: 7, bookId: 1, rating: 5 },
        ],
      },
    ]);
    expect(usersWithMinRatings(loadedFold, 1).map((user) => user.userId)).toEqual([7, 5]);
  });

  it('names file and line for an out-of-range rating', async () => {
    const dir = fixture({ 'fold_a/ratings.csv': 'user_id,book_id,rating\n7,2,4\n5,1,7\n' });
    const error = await loadError(dir);
    expect(error.file).toBe(path.join(dir, 'fold_a', 'ratings.csv'));
    expect(error.line).toBe(3);
    expect(error.message).toBe(`${path.join(dir, 'fold_a', 'ratings.csv')}, line 3: rating must be an integer from 1 to 5, got "7"`);
  });

  it.each([
    ['a non-numeric id', 'user_id,book_id,rating\n7,2,4\nabc,1,3\n', /line 3: user_id must be an integer >= 1, got "abc"/],
    ['an empty field', 'user_id,book_id,rating\n7,,4\n', /line 2: book_id must be an integer >= 1, got ""/],
    ['a fractional rating', 'user_id,book_id,rating\n7,2,4.5\n', /line 2: rating must be an integer from 1 to 5/],
    ['a missing field', 'user_id,book_id,rating\n7,2,4\n5,1\n', /ratings\.csv, line 3: Invalid Record Length/],
    ['an unknown book', 'user_id,book_id,rating\n7,2,4\n7,999,4\n', /line 3: book_id 999 is not in books\.csv/],
    ['a wrong header', 'user,book,rating\n7,2,4\n', /ratings\.csv, line 1: header lacks column\(s\) user_id, book_id/],
  ])('rejects ratings with %s', async (_label, ratings, message) => {
    const error = await loadError(fixture({ 'fold_a/ratings.csv': ratings }));
    expect(error.message).toMatch(/fold_a[/\\]ratings\.csv/);
    expect(error.message).toMatch(message);
  });

  it('rejects a broken metadata file, naming it', async () => {
    const error = await loadError(
      fixture({ 'book_genres.csv': 'book_id,primary_genre,genres\n1,classics,classics\n"2,memoir,memoir\n' }),
    );
    expect(error.message).toMatch(/book_genres\.csv, line 3: Quote Not Closed/);
  });

  it('rejects a negative tag count in the fold tag file', async () => {
    const error = await loadError(fixture({ 'fold_a/book_tags.csv': 'goodreads_book_id,tag_id,count\n101,10,-5\n' }));
    expect(error.message).toMatch(/book_tags\.csv, line 2: count must be an integer >= 0, got "-5"/);
  });

  it('reports a missing file', async () => {
    const dir = fixture();
    rmSync(path.join(dir, 'fold_a', 'book_tags.csv'));
    const error = await loadError(dir);
    expect(error.message).toBe(`${path.join(dir, 'fold_a', 'book_tags.csv')}: file not found`);
  });

  it('rejects an unknown fold name', async () => {
    await expect(loadFold('d' as FoldName, { dataDir: fixture() })).rejects.toThrow(/unknown fold "d"/);
  });
});
