import { createHash } from 'node:crypto';
import type { BehaviourModel, ScoredItem } from '../behaviour-model.js';
import { fitRidge, predictRidge, type RidgeFit } from './ridge.js';

export interface PlacementSettings {
  /**
   * Items with at least this many paired likes (likes that taught co-occurrence) train the map;
   * an item with fewer is cold, and placed by its content.
   */
  minLikes: number;
  /** The most-liked items whose co-occurrence the map predicts (its outputs). */
  anchors: number;
  /** Ridge penalty as a share of the mean feature variance (scale-free); tuned on goodbooks folds a and b. */
  ridge: number;
  /** No map is fitted from fewer warm items than this: too little behaviour to learn from. */
  minTrainingItems: number;
}

/**
 * Ridge and the placement weight tuned on goodbooks folds a and b (new-items protocol, every
 * list slot given to exploration so the lists rank new books only, as the served ranking
 * scores them): NDCG@10 on the new books 0.165 (a) and 0.335 (b) at ridge 1 with
 * RANK_PLACEMENT_WEIGHT 8; 0.159 and 0.299 at ridge 1, weight 16; 0.174 and 0.310 at ridge 10,
 * weight 16; 0.171 and 0.274 at ridge 10, weight 32.
 */
export const DEFAULT_PLACEMENT_SETTINGS: PlacementSettings = Object.freeze({ minLikes: 5, anchors: 512, ridge: 1, minTrainingItems: 20 });

/** What placement reads of the behaviour model. */
export type PlacementBehaviour = Pick<BehaviourModel, 'likeCount' | 'pairedLikeCount' | 'alsoLiked'>;

/** Where placed items and their content vectors come from: an encoder's item index (VectorIndex fits). */
export interface ItemVectors {
  ids(): Iterable<string>;
  vector(itemId: string): Float32Array | undefined;
}

/**
 * Content → behaviour placement. From warm items (at least `minLikes` paired likes), a ridge
 * regression learns to predict, from an item's content vector (the configured encoder's), its
 * co-occurrence with the most-liked items, the anchors: for each anchor a, the share of a's
 * likers who also liked the item — the number `BehaviourModel.alsoLiked(a)` scores it with. A
 * brand-new item then has a predicted place among the warm items the moment it is indexed:
 *
 * - it can be among the co-occurrence neighbours of a user's seed (`neighbours(seed)`), scored
 *   on the same scale as the seed's real neighbours;
 * - a seed that is itself new gets neighbours: its predicted likers are spread over the anchors
 *   (anchorWeights), and the anchors' own neighbours are mixed with those weights.
 *
 * The fit is closed-form and deterministic: the same model and vectors always give the same
 * weights, whose hash is the `version` recorded with every list that used them.
 */
export class Placement {
  private readonly predictions = new Map<string, Float32Array>();

  private constructor(
    private readonly fit: RidgeFit,
    private readonly anchors: readonly string[],
    private readonly anchorIndex: ReadonlyMap<string, number>,
    private readonly items: ItemVectors,
    private readonly model: PlacementBehaviour,
    private readonly settings: PlacementSettings,
    /** A hash of the anchors and weights: equal versions place every item the same. */
    readonly version: string,
    /** Warm items the map was trained on. */
    readonly trainedOn: number,
  ) {}

  /** Fits the map on the model's warm items; undefined while fewer than `minTrainingItems` are warm. */
  static fit(items: ItemVectors, model: PlacementBehaviour, settings: PlacementSettings = DEFAULT_PLACEMENT_SETTINGS): Placement | undefined {
    const warm: { itemId: string; x: Float32Array; likes: number }[] = [];
    for (const itemId of items.ids()) {
      if (model.pairedLikeCount(itemId) < settings.minLikes) continue;
      const x = items.vector(itemId);
      if (x) warm.push({ itemId, x, likes: model.likeCount(itemId) });
    }
    if (warm.length < settings.minTrainingItems) return undefined;
    // One index holds one encoder's vectors, all of one dimension.
    const dimension = (warm[0] as { x: Float32Array }).x.length;
    // Fixed orders (likes, then id) so every process fitting the same inputs gets the same weights.
    warm.sort((a, b) => b.likes - a.likes || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
    const anchors = warm.slice(0, settings.anchors).map((item) => item.itemId);
    const anchorIndex = new Map(anchors.map((id, i) => [id, i]));
    const targets = new Map<string, [number, number][]>();
    anchors.forEach((anchor, a) => {
      for (const neighbour of model.alsoLiked(anchor, Number.MAX_SAFE_INTEGER)) {
        let row = targets.get(neighbour.itemId);
        if (!row) targets.set(neighbour.itemId, (row = []));
        row.push([a, neighbour.score]);
      }
    });
    const rows = warm.map((item) => ({ x: item.x, y: targets.get(item.itemId) ?? [] }));
    const fit = fitRidge({ dimension, outputs: anchors.length, rows, ridge: settings.ridge });
    const hash = createHash('sha256').update(anchors.join('\n')).update(new Uint8Array(fit.weights.buffer)).update(new Uint8Array(fit.meanY.buffer));
    return new Placement(fit, anchors, anchorIndex, items, model, settings, hash.digest('hex').slice(0, 12), rows.length);
  }

  /**
   * Where in content space an item's predicted readers are: the content vectors of the anchors
   * it is predicted to share the most readers with (the `top` best), weighted by the predicted
   * share, as a unit vector. The new-item fan-out searches users' interest vectors with it, so
   * a new item reaches the readers of the books it is placed among, not only those whose
   * interests read like its text. Undefined when no anchor is predicted to share any reader.
   */
  placeVector(vector: Float32Array, top = 5): Float32Array | undefined {
    if (vector.length !== this.fit.meanX.length) return undefined;
    const predicted = predictRidge(this.fit, vector);
    const best = this.anchors
      .map((anchor, a) => ({ anchor, share: predicted[a] as number }))
      .filter((x) => x.share > 0)
      .sort((x, y) => y.share - x.share || (x.anchor < y.anchor ? -1 : x.anchor > y.anchor ? 1 : 0))
      .slice(0, top);
    const place = new Float32Array(vector.length);
    for (const { anchor, share } of best) {
      const anchorVector = this.items.vector(anchor);
      if (anchorVector?.length === place.length) for (let i = 0; i < place.length; i++) place[i] = (place[i] as number) + share * (anchorVector[i] as number);
    }
    const norm = Math.hypot(...place);
    return norm > 0 ? place.map((x) => x / norm) : undefined;
  }

  /** Predicts every cold item of the catalog now (the refit does, in the background), so no list pays for it. */
  placeAll(): void {
    for (const itemId of this.items.ids()) if (this.isCold(itemId)) this.predicted(itemId);
  }

  /** An item with too few paired likes for its own co-occurrence to speak for it. */
  isCold(itemId: string): boolean {
    return this.model.pairedLikeCount(itemId) < this.settings.minLikes;
  }

  /**
   * Items placed near each seed in behaviour: cold items predicted to be liked by its likers
   * and, for a cold seed, the warm items its predicted likers like. Scores are shares of likers,
   * as `BehaviourModel.alsoLiked`'s; best first, at most `limit` per seed. The catalog is
   * scanned once per call (for its cold items), however many seeds there are.
   */
  neighbours(seedItemIds: readonly string[], limit: number, exclude: ReadonlySet<string> = new Set()): Map<string, ScoredItem[]> {
    const result = new Map<string, ScoredItem[]>();
    const seeds = seedItemIds.map((seedItemId) => ({ seedItemId, weights: this.anchorWeights(seedItemId) })).filter((seed) => seed.weights.length > 0);
    if (seeds.length === 0) return result;
    const cold: { itemId: string; predicted: Float32Array }[] = [];
    for (const itemId of this.items.ids()) {
      if (exclude.has(itemId) || !this.isCold(itemId)) continue;
      const predicted = this.predicted(itemId);
      if (predicted) cold.push({ itemId, predicted });
    }
    const coldScores = new Float64Array(cold.length);
    for (const { seedItemId, weights } of seeds) {
      const anchorsOf = Uint32Array.from(weights, ([a]) => a);
      const weightOf = Float64Array.from(weights, ([, w]) => w);
      for (let i = 0; i < cold.length; i++) {
        const { itemId, predicted } = cold[i] as { itemId: string; predicted: Float32Array };
        let score = 0;
        if (itemId !== seedItemId) for (let k = 0; k < anchorsOf.length; k++) score += (weightOf[k] as number) * (predicted[anchorsOf[k] as number] as number);
        coldScores[i] = score;
      }
      const scores = new Map<string, number>();
      // Only the best `limit` cold items can make the answer: the cut-off score is read off a sorted copy.
      const cutoff = cold.length > limit ? (Float64Array.from(coldScores).sort()[cold.length - limit] as number) : 0;
      for (let i = 0; i < cold.length; i++) {
        const score = coldScores[i] as number;
        if (score > 0 && score >= cutoff) scores.set((cold[i] as { itemId: string }).itemId, score);
      }
      if (this.isCold(seedItemId)) {
        const add = (itemId: string, share: number) => {
          if (itemId !== seedItemId && !exclude.has(itemId)) scores.set(itemId, (scores.get(itemId) ?? 0) + share);
        };
        for (const [a, w] of weights) {
          const anchor = this.anchors[a] as string;
          add(anchor, w);
          for (const neighbour of this.model.alsoLiked(anchor, Number.MAX_SAFE_INTEGER)) add(neighbour.itemId, w * neighbour.score);
        }
      }
      const ranked = [...scores]
        .map(([itemId, score]) => ({ itemId, score: Math.min(1, score) }))
        .sort((a, b) => b.score - a.score || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0))
        .slice(0, limit);
      result.set(seedItemId, ranked);
    }
    return result;
  }

  /**
   * How the seed's likers spread over the anchors, as [anchor, weight] summing to 1: an anchor
   * is all its own; a warm item by its real co-occurrence with the anchors; a cold one by its
   * predicted share of each anchor's likers, squared (the clearest predictions count most),
   * times the square root of the anchor's likes. Tuned on goodbooks folds a and b (cold-seed
   * protocol, no exploration; NDCG@10 a / b): share × likes 0.268 / 0.370; share alone
   * 0.270 / 0.378; share² × likes 0.271 / 0.381; share³ × likes 0.270 / 0.374;
   * share² × √likes 0.274 / 0.380.
   */
  private anchorWeights(seedItemId: string): [number, number][] {
    const own = this.anchorIndex.get(seedItemId);
    if (own !== undefined) return [[own, 1]];
    const raw: [number, number][] = [];
    if (!this.isCold(seedItemId)) {
      for (const neighbour of this.model.alsoLiked(seedItemId, Number.MAX_SAFE_INTEGER)) {
        const a = this.anchorIndex.get(neighbour.itemId);
        if (a !== undefined) raw.push([a, neighbour.score]);
      }
    } else {
      const predicted = this.predicted(seedItemId);
      if (predicted) {
        this.anchors.forEach((anchor, a) => {
          const share = predicted[a] as number;
          if (share > 0) raw.push([a, share ** 2 * Math.sqrt(this.model.likeCount(anchor))]);
        });
      }
    }
    const total = raw.reduce((sum, [, w]) => sum + w, 0);
    return total > 0 ? raw.map(([a, w]) => [a, w / total]) : [];
  }

  /** The item's predicted share of each anchor's likers (cached: the map is fixed for this placement). */
  private predicted(itemId: string): Float32Array | undefined {
    let predicted = this.predictions.get(itemId);
    if (!predicted) {
      const x = this.items.vector(itemId);
      if (!x || x.length !== this.fit.meanX.length) return undefined;
      predicted = predictRidge(this.fit, x);
      this.predictions.set(itemId, predicted);
    }
    return predicted;
  }
}
