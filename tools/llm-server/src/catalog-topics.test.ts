import { type Book, loadFold } from '@coldstart/goodbooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { CatalogTopics, normalisePhrase } from './catalog-topics.js';

const prompt = (interest: string) =>
  `The user has shown interest in: ${interest}.\nSuggest 3–5 related book topics they might enjoy.\nRespond with a JSON list of topic keywords.`;

// Fold c is the broadest catalog (146 categories: fantasy, science-fiction, mystery, romance, …).
let books: Book[];
let topics: CatalogTopics;
let categories: Set<string>;
beforeAll(async () => {
  books = (await loadFold('c')).books;
  topics = CatalogTopics.fromBooks(books);
  categories = new Set(books.flatMap((b) => [...b.genres, ...b.tags]));
});

/** An independent reading of the contract: Σ over interests of n(i,t) / √(n(i)·n(t)), ties by name. */
function expectedTopics(interests: readonly string[], count: number): string[] {
  const sets = books.map((b) => new Set([...b.genres, ...b.tags]));
  const n = (c: string) => sets.filter((s) => s.has(c)).length;
  const both = (a: string, b: string) => sets.filter((s) => s.has(a) && s.has(b)).length;
  return [...categories]
    .filter((c) => !interests.includes(c))
    .map((c) => ({ c, score: interests.reduce((sum, i) => sum + both(i, c) / Math.sqrt(n(i) * n(c)), 0) }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || (a.c < b.c ? -1 : 1))
    .slice(0, count)
    .map((x) => x.c);
}

describe('CatalogTopics', () => {
  it('answers the 5 categories co-occurring most with the named ones, excluding them, all real goodbooks categories', () => {
    const answer = topics.suggest(prompt('fantasy, young-adult'));
    expect(answer.recognised).toBe(true);
    expect(answer.mentioned).toEqual(expect.arrayContaining(['fantasy', 'young-adult']));
    expect(answer.mentioned).toHaveLength(2);
    expect(answer.topics).toHaveLength(5);
    expect(answer.topics).not.toContain('fantasy');
    expect(answer.topics).not.toContain('young-adult');
    for (const topic of answer.topics) expect(categories).toContain(topic);
    expect(answer.topics).toEqual(expectedTopics(['fantasy', 'young-adult'], 5));
  });

  it('is deterministic: same text, same answer, from any instance built on the same books', () => {
    const text = prompt('horror');
    const first = topics.suggest(text);
    expect(topics.suggest(text)).toEqual(first);
    expect(CatalogTopics.fromBooks(books).suggest(text)).toEqual(first);
    expect(first.topics).toEqual(expectedTopics(['horror'], 5));
  });

  it('matches case-insensitively, spaces for hyphens, the longest phrase first', () => {
    const answer = topics.suggest(prompt('Science Fiction'));
    expect(answer.mentioned).toEqual(['science-fiction']);
    expect(answer.topics).not.toContain('science-fiction');
    // "sci fi" is its own shelf, not "science-fiction" nor anything inside a longer word.
    expect(topics.mentionedIn('I like SCI-FI and classics')).toEqual(expect.arrayContaining(['sci-fi', 'classics']));
    expect(topics.mentionedIn('transfixed by ghosts')).toEqual(['ghosts']);
  });

  it('maps seed book titles, with or without the series suffix, to their books\' categories', () => {
    const book = books.find((b) => /\(.*#\d+\)$/.test(b.title) && b.tags.length > 3);
    if (!book) throw new Error('fold c has a book in a series');
    const bare = book.title.replace(/\s*\([^()]*\)$/, '');
    const ownCategories = [...new Set([...book.genres, ...book.tags])];
    for (const title of [book.title, bare]) {
      const answer = topics.suggest(`The user has read: ${title}.\nSuggest related topics.`);
      expect(answer.mentioned).toEqual(expect.arrayContaining(ownCategories));
      for (const topic of answer.topics) expect(ownCategories).not.toContain(topic);
    }
  });

  it('picks among the 50 most common categories by the text\'s hash when nothing is recognised', () => {
    const counts = new Map<string, number>();
    for (const b of books) for (const c of new Set([...b.genres, ...b.tags])) counts.set(c, (counts.get(c) ?? 0) + 1);
    const top50 = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 50).map(([c]) => c);

    const answers = ['qwerty zxcv', 'nothing to see', 'lorem ipsum'].map((text) => topics.suggest(text));
    for (const answer of answers) {
      expect(answer).toMatchObject({ recognised: false, mentioned: [] });
      expect(new Set(answer.topics).size).toBe(5);
      for (const topic of answer.topics) expect(top50).toContain(topic);
    }
    expect(topics.suggest('qwerty zxcv')).toEqual(answers[0]);
    expect(new Set(answers.map((a) => a.topics.join()))).toHaveProperty('size', 3);
  });

  it('gives as many topics as asked', () => {
    expect(topics.suggest(prompt('mystery'), 8).topics).toEqual(expectedTopics(['mystery'], 8));
    expect(topics.suggest(prompt('mystery'), 0).topics).toEqual([]);
  });

  it('normalises phrases to lower-case words', () => {
    expect(normalisePhrase("  Harry Potter and the Sorcerer's Stone (Harry Potter, #1)")).toBe('harry potter and the sorcerer s stone harry potter 1');
  });
});
