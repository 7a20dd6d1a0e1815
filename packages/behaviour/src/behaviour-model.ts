import type { BehaviourEntry } from './behaviour-entry.js';

export interface BehaviourSettings {
  /** Co-occurrence neighbours kept per item: memory is bounded by items × this. */
  maxNeighbours: number;
  /** Popularity halves over this many ms since a like; 0 keeps every like at full weight. */
  halfLifeMs: number;
  /**
   * An item counts as popular in the first this many of its categories (best first, as its
   * producer lists them): what it is about, not every shelf someone put it on. Tuned on
   * goodbooks folds a and b, whose items list their genres then up to 10 reader shelves: with 1,
   * a category-only signup's NDCG@10 rose from 0.268 to 0.280 (a) and 0.371 to 0.388 (b) over
   * all of them (2: 0.272, 0.375; 3: 0.269, 0.375), and cold-start lists did not move.
   */
  popularCategories: number;
}

export const DEFAULT_BEHAVIOUR_SETTINGS: BehaviourSettings = Object.freeze({ maxNeighbours: 100, halfLifeMs: 30 * 86_400_000, popularCategories: 1 });

/** An item and how strongly a behaviour signal points at it, in [0, 1]. */
export interface ScoredItem {
  itemId: string;
  score: number;
}

// Comparisons, not a difference, which the sort would box (a heap number per comparison).
const byScoreThenId = (a: ScoredItem, b: ScoredItem) => (a.score > b.score ? -1 : a.score < b.score ? 1 : a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0);

/**
 * What the behaviour log teaches, in memory: every recommend process holds one (a replica of the
 * log) and `coldstart eval` builds one from the training users' interactions through the same
 * log, so both rank with the same numbers. Applying entries in log order always gives the same
 * model (pruning breaks ties by id).
 *
 * - Popularity: each like adds 2^((at − first like) / half-life), so a like counts half as much
 *   as one a half-life newer ("forward decay": old sums never need rewriting). Read as a share
 *   of the hottest item, overall or within a category (an item's first `popularCategories`),
 *   and a category's share of all of it.
 * - Co-occurrence: for each like, +1 between the item and each of the user's earlier likes the
 *   writer sent along (its recent history, bounded), kept per item as at most `maxNeighbours`
 *   neighbours (the map may grow to twice that before it is cut back to the strongest).
 */
export class BehaviourModel {
  private readonly settings: BehaviourSettings;
  private epochMs: number | undefined;
  private readonly heat = new Map<string, number>();
  private readonly likes = new Map<string, number>();
  private readonly pairedLikes = new Map<string, number>();
  private readonly categoriesOf = new Map<string, readonly string[]>();
  private readonly itemsIn = new Map<string, Set<string>>();
  private readonly neighbours = new Map<string, Map<string, number>>();
  /** Items deleted since they were liked: dropped from every answer (a pruned map may still name them). */
  private readonly forgotten = new Set<string>();
  private maxHeat = 0;
  private version = 0;
  private readonly rankedCache = new Map<string, { version: number; items: ScoredItem[]; heat: number }>();
  /** Likes applied (each first like of an item by a user, as the writer logged it). */
  interactions = 0;

  constructor(settings: Partial<BehaviourSettings> = {}) {
    this.settings = { ...DEFAULT_BEHAVIOUR_SETTINGS, ...settings };
  }

  apply(entry: BehaviourEntry): void {
    this.version++;
    if (entry.kind === 'forget') return this.forget(entry.itemId);
    const { itemId } = entry;
    this.forgotten.delete(itemId);
    this.interactions++;
    this.epochMs ??= entry.atMs;
    const weight = this.settings.halfLifeMs > 0 ? 2 ** ((entry.atMs - this.epochMs) / this.settings.halfLifeMs) : 1;
    const heat = (this.heat.get(itemId) ?? 0) + weight;
    this.heat.set(itemId, heat);
    this.maxHeat = Math.max(this.maxHeat, heat);
    this.likes.set(itemId, (this.likes.get(itemId) ?? 0) + 1);
    if (entry.partners.some((partner) => partner !== itemId)) this.pairedLikes.set(itemId, (this.pairedLikes.get(itemId) ?? 0) + 1);
    if (entry.categories.length > 0) this.setCategories(itemId, entry.categories.slice(0, this.settings.popularCategories));
    for (const partner of entry.partners) {
      if (partner === itemId) continue;
      this.bump(itemId, partner);
      this.bump(partner, itemId);
    }
  }

  /** The item's popularity as a share of the hottest item's, in [0, 1]; undefined if nobody liked it. */
  popularity(itemId: string): number | undefined {
    const heat = this.heat.get(itemId);
    return heat === undefined || this.maxHeat === 0 ? undefined : heat / this.maxHeat;
  }

  /** Users who liked the item (undecayed). */
  likeCount(itemId: string): number {
    return this.likes.get(itemId) ?? 0;
  }

  /**
   * Likes that came with an earlier like of the same user: the ones co-occurrence is learned
   * from. A signup's seed like has none (nothing was liked before it), so a new item liked only
   * as a seed has popularity but no neighbours yet.
   */
  pairedLikeCount(itemId: string): number {
    return this.pairedLikes.get(itemId) ?? 0;
  }

  /** The most popular items, overall or within one (normalised) category; scores are shares of the first's heat. */
  popular(limit: number, options: { category?: string; exclude?: ReadonlySet<string> } = {}): ScoredItem[] {
    const ranked = this.ranked(options.category).items;
    const out: ScoredItem[] = [];
    for (const item of ranked) {
      if (out.length >= limit) break;
      if (!options.exclude?.has(item.itemId)) out.push(item);
    }
    return out;
  }

  /**
   * The category's share of all popularity (its items' heat over every item's), in [0, 1];
   * undefined when nobody liked anything in it. An item's popularity divided by it is how much
   * likelier a like from a fan of the category is to be that item than a like from anyone.
   */
  categoryShare(category: string): number | undefined {
    const inCategory = this.ranked(category).heat;
    const all = this.ranked(undefined).heat;
    return inCategory > 0 && all > 0 ? inCategory / all : undefined;
  }

  /**
   * Items liked by the users who liked `itemId`, strongest first. The score is the share of the
   * item's likers who also liked the neighbour (co-likes / likes), so lists of different seeds
   * compare on one scale.
   */
  alsoLiked(itemId: string, limit: number): ScoredItem[] {
    const counts = this.neighbours.get(itemId);
    const likes = this.likes.get(itemId) ?? 0;
    if (!counts || likes === 0 || this.forgotten.has(itemId)) return [];
    const scored: ScoredItem[] = [];
    for (const [other, count] of counts) if (!this.forgotten.has(other)) scored.push({ itemId: other, score: Math.min(1, count / likes) });
    return scored.sort(byScoreThenId).slice(0, limit);
  }

  /** Items someone liked (and not deleted since). */
  get items(): number {
    return this.heat.size;
  }

  /** Overall or one category's items by heat (as shares of the first's), with their summed heat; recomputed once per change of the model. */
  private ranked(category: string | undefined): { items: ScoredItem[]; heat: number } {
    const key = category ?? '';
    const cached = this.rankedCache.get(key);
    if (cached?.version === this.version) return cached;
    const members = category === undefined ? this.heat.keys() : (this.itemsIn.get(category) ?? new Set<string>()).values();
    const scored: ScoredItem[] = [];
    let heat = 0;
    for (const itemId of members) {
      const itemHeat = this.heat.get(itemId) ?? 0;
      scored.push({ itemId, score: itemHeat });
      heat += itemHeat;
    }
    scored.sort(byScoreThenId);
    const top = scored[0]?.score ?? 0;
    const entry = { version: this.version, items: scored.map((item) => ({ itemId: item.itemId, score: top > 0 ? item.score / top : 0 })), heat };
    this.rankedCache.set(key, entry);
    return entry;
  }

  private setCategories(itemId: string, categories: readonly string[]): void {
    for (const old of this.categoriesOf.get(itemId) ?? []) this.itemsIn.get(old)?.delete(itemId);
    this.categoriesOf.set(itemId, categories);
    for (const category of categories) {
      let members = this.itemsIn.get(category);
      if (!members) this.itemsIn.set(category, (members = new Set()));
      members.add(itemId);
    }
  }

  private bump(itemId: string, other: string): void {
    let counts = this.neighbours.get(itemId);
    if (!counts) this.neighbours.set(itemId, (counts = new Map()));
    counts.set(other, (counts.get(other) ?? 0) + 1);
    if (counts.size > 2 * this.settings.maxNeighbours) this.prune(itemId, counts);
  }

  /** Keeps the strongest `maxNeighbours` (ties by id, so every replica keeps the same ones). */
  private prune(itemId: string, counts: Map<string, number>): void {
    const kept = [...counts]
      .map(([other, count]) => ({ itemId: other, score: count }))
      .sort(byScoreThenId)
      .slice(0, this.settings.maxNeighbours);
    this.neighbours.set(itemId, new Map(kept.map((item) => [item.itemId, item.score])));
  }

  private forget(itemId: string): void {
    if (!this.heat.has(itemId)) return;
    this.forgotten.add(itemId);
    const heat = this.heat.get(itemId) ?? 0;
    this.heat.delete(itemId);
    this.likes.delete(itemId);
    this.pairedLikes.delete(itemId);
    for (const category of this.categoriesOf.get(itemId) ?? []) this.itemsIn.get(category)?.delete(itemId);
    this.categoriesOf.delete(itemId);
    for (const other of this.neighbours.get(itemId)?.keys() ?? []) this.neighbours.get(other)?.delete(itemId);
    this.neighbours.delete(itemId);
    if (heat >= this.maxHeat) {
      this.maxHeat = 0;
      for (const value of this.heat.values()) this.maxHeat = Math.max(this.maxHeat, value);
    }
  }
}
