import type { Book } from '@coldstart/goodbooks';
import { hashText, seededRandom, shuffle } from '@coldstart/runtime';

/** What the expander asks for ("Suggest 3–5 related book topics"). */
export const DEFAULT_TOPIC_COUNT = 5;
/** Unrecognised text still gets plausible topics: the most common categories look like answers. */
const FALLBACK_POOL = 50;
/** Shorter titles ("It", "Us") are ordinary words and would match almost any prompt. */
const MIN_TITLE_LENGTH = 5;

/** Lower-case words joined by single spaces, so "Sci-Fi", "sci fi" and "sci_fi" are one phrase. */
export function normalisePhrase(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export interface TopicSuggestion {
  /** Catalog categories the text names, directly or through a book title, in match order. */
  mentioned: string[];
  topics: string[];
  /** False when nothing was recognised and the topics were picked by the text's hash. */
  recognised: boolean;
}

const byName = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);

/**
 * A deterministic stand-in for the LLM's answer: topics related to what the prompt names, by
 * how often catalog books carry both (cosine of co-occurrence counts), so the answers are real
 * goodbooks categories that the rest of the pipeline can find books for. Same text, same answer.
 */
export class CatalogTopics {
  private constructor(
    /** Books per category. */
    private readonly counts: ReadonlyMap<string, number>,
    /** Books carrying both categories, stored in both directions. */
    private readonly pairs: ReadonlyMap<string, ReadonlyMap<string, number>>,
    /** Phrases to look for, longest first, each with the categories it stands for. */
    private readonly phrases: readonly { phrase: string; categories: readonly string[] }[],
    /** Categories by book count descending, then name. */
    private readonly common: readonly string[],
  ) {}

  /** Categories are a book's genres and content tags together. */
  static fromBooks(books: readonly Book[]): CatalogTopics {
    const counts = new Map<string, number>();
    const pairs = new Map<string, Map<string, number>>();
    const titlePhrases = new Map<string, Set<string>>();
    for (const book of books) {
      const categories = [...new Set([...book.genres, ...book.tags].map((c) => c.trim()).filter((c) => c !== ''))];
      for (const category of categories) counts.set(category, (counts.get(category) ?? 0) + 1);
      for (const left of categories) {
        let row = pairs.get(left);
        if (row === undefined) pairs.set(left, (row = new Map()));
        for (const right of categories) if (right !== left) row.set(right, (row.get(right) ?? 0) + 1);
      }
      // Seed titles come with or without the series suffix, e.g. "(The Hunger Games, #1)".
      for (const title of [book.title, book.title.replace(/\s*\([^()]*\)\s*$/, '')]) {
        const phrase = normalisePhrase(title);
        if (phrase.length < MIN_TITLE_LENGTH) continue;
        let set = titlePhrases.get(phrase);
        if (set === undefined) titlePhrases.set(phrase, (set = new Set()));
        for (const category of categories) set.add(category);
      }
    }

    const categoryPhrases = new Map<string, string[]>();
    for (const category of counts.keys()) {
      const phrase = normalisePhrase(category);
      if (phrase === '') continue;
      categoryPhrases.set(phrase, [...(categoryPhrases.get(phrase) ?? []), category].sort(byName));
    }
    const phrases = [
      ...[...categoryPhrases].map(([phrase, categories]) => ({ phrase, categories })),
      // A title that is also a category name means the category.
      ...[...titlePhrases]
        .filter(([phrase]) => !categoryPhrases.has(phrase))
        .map(([phrase, categories]) => ({ phrase, categories: [...categories].sort(byName) })),
    ].sort((left, right) => right.phrase.length - left.phrase.length || byName(left.phrase, right.phrase));
    const common = [...counts.keys()].sort((left, right) => (counts.get(right) ?? 0) - (counts.get(left) ?? 0) || byName(left, right));
    return new CatalogTopics(counts, pairs, phrases, common);
  }

  /** The categories the text names: longest phrase first, and a matched stretch is not matched again. */
  mentionedIn(text: string): string[] {
    const padded = ` ${normalisePhrase(text)} `;
    const taken = new Uint8Array(padded.length);
    const mentioned = new Set<string>();
    for (const { phrase, categories } of this.phrases) {
      const needle = ` ${phrase} `;
      for (let at = padded.indexOf(needle); at !== -1; at = padded.indexOf(needle, at + 1)) {
        const start = at + 1;
        const end = start + phrase.length;
        if (taken.subarray(start, end).some((t) => t === 1)) continue;
        taken.fill(1, start, end);
        for (const category of categories) mentioned.add(category);
      }
    }
    return [...mentioned];
  }

  suggest(text: string, count: number = DEFAULT_TOPIC_COUNT): TopicSuggestion {
    const mentioned = this.mentionedIn(text);
    if (mentioned.length === 0) {
      const pool = this.common.slice(0, FALLBACK_POOL);
      const topics = shuffle(pool, seededRandom('topics', hashText(text))).slice(0, Math.max(0, count));
      return { mentioned, topics, recognised: false };
    }

    const excluded = new Set(mentioned);
    const scores = new Map<string, number>();
    for (const interest of mentioned) {
      const interestCount = this.counts.get(interest) ?? 0;
      for (const [candidate, together] of this.pairs.get(interest) ?? []) {
        if (excluded.has(candidate)) continue;
        const candidateCount = this.counts.get(candidate) ?? 0;
        scores.set(candidate, (scores.get(candidate) ?? 0) + together / Math.sqrt(interestCount * candidateCount));
      }
    }
    const related = [...scores].sort((left, right) => right[1] - left[1] || byName(left[0], right[0])).map(([name]) => name);
    // Interests that co-occur with little still get a full answer, from the most common categories.
    const topics = [...new Set([...related, ...this.common.filter((c) => !excluded.has(c))])].slice(0, Math.max(0, count));
    return { mentioned, topics, recognised: true };
  }
}
