import { normaliseCategory, pairKey, type CategoryStats } from '@coldstart/store';
import { NothingToExpandError, type Expander, type ExpansionInput, type ExpansionResult } from './expander.js';

export interface CategoryStatsSource {
  categoryStats(): Promise<CategoryStats>;
}

export interface CatalogExpanderOptions {
  /** How long one read of the catalog's statistics is reused; the catalog changes slowly. */
  refreshMs?: number;
  maxTopics?: number;
  minTopics?: number;
}

const EXPANDER_ID = 'catalog-cooccurrence-v1';
/** A seed item's own categories count less than what the user chose explicitly. */
const SEED_WEIGHT = 0.5;
/** How many of a seed item's categories (best first) describe it. */
const SEED_CATEGORIES = 3;
/** Categories on more than this share of the catalog ("fiction") say nothing about a taste. */
const MAX_CATEGORY_SHARE = 0.5;

/**
 * The offline expander: topics related to the user's interests by how often catalog items
 * carry both (cosine of category co-occurrence, Σ w·n(c,t)/√(n(c)·n(t))). It needs no model,
 * so it is the default and the fallback when an LLM is unavailable.
 */
export class CatalogExpander implements Expander {
  readonly id = EXPANDER_ID;
  private cached: { at: number; stats: Promise<CategoryStats> } | undefined;
  private readonly refreshMs: number;
  private readonly maxTopics: number;
  /** Topics guaranteed to come from the catalog's related categories when it has enough. */
  private readonly minTopics: number;

  constructor(
    private readonly source: CategoryStatsSource,
    options: CatalogExpanderOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.refreshMs = options.refreshMs ?? 10_000;
    this.maxTopics = options.maxTopics ?? 5;
    this.minTopics = options.minTopics ?? 3;
  }

  private stats(): Promise<CategoryStats> {
    const now = this.now();
    if (!this.cached || now - this.cached.at > this.refreshMs) {
      // Concurrent jobs share one read; a failed read is not cached.
      const stats = this.source.categoryStats();
      this.cached = { at: now, stats };
      stats.catch(() => {
        this.cached = undefined;
      });
    }
    return this.cached.stats;
  }

  async expand(input: ExpansionInput): Promise<ExpansionResult> {
    const weights = new Map<string, number>();
    const addInterest = (category: string, weight: number) => {
      const name = normaliseCategory(category);
      if (name) weights.set(name, Math.max(weights.get(name) ?? 0, weight));
    };
    for (const category of input.categories) addInterest(category, 1);
    for (const seed of input.seedItems) {
      for (const category of seed.categories.slice(0, SEED_CATEGORIES)) addInterest(category, SEED_WEIGHT);
    }
    if (weights.size === 0) {
      throw new NothingToExpandError(
        `user ${input.userId} gave no categories and none of the seed items (${input.seedItems.length}) has categories`,
      );
    }

    const { items, counts, pairs } = await this.stats();
    const scores = new Map<string, number>();
    for (const [candidate, candidateCount] of counts) {
      if (weights.has(candidate) || candidateCount > MAX_CATEGORY_SHARE * items) continue;
      let score = 0;
      for (const [interest, weight] of weights) {
        const together = pairs.get(pairKey(interest, candidate)) ?? 0;
        const interestCount = counts.get(interest) ?? 0;
        if (together > 0 && interestCount > 0) score += (weight * together) / Math.sqrt(interestCount * candidateCount);
      }
      if (score > 0) scores.set(candidate, score);
    }
    const related = [...scores.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);

    // The user's own words first (explicit before seed-derived) but leaving room for related
    // topics, which widen the search; own words beyond that share fill whatever room is left.
    const own = [...weights.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
    const ownShare = Math.max(1, this.maxTopics - this.minTopics + 1);
    const topics = [...own.slice(0, ownShare), ...related, ...own.slice(ownShare)].slice(0, this.maxTopics);
    return { topics, source: 'catalog', expander: this.id };
  }
}
