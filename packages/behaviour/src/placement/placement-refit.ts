import type { BehaviourModel } from '../behaviour-model.js';
import { DEFAULT_PLACEMENT_SETTINGS, Placement, type ItemVectors, type PlacementSettings } from './placement.js';

export interface RefitSettings {
  /** Refit once the likes since the last fit reach this many… */
  minNewLikes: number;
  /** …and this share of the likes the last fit saw. */
  minNewShare: number;
  /** A refit waits for a pause in the log (a tick without new likes), for at most this long. */
  maxWaitMs: number;
}

/** Refit after 10 % more likes (at least 1,000), at a pause in the log or within a minute. */
export const DEFAULT_REFIT_SETTINGS: RefitSettings = Object.freeze({ minNewLikes: 1_000, minNewShare: 0.1, maxWaitMs: 60_000 });

interface Fitted {
  placement: Placement;
  /** The model's likes when it was fitted. */
  likes: number;
}

/**
 * Keeps one Placement per item index (encoder), refitted in the background as behaviour
 * arrives: first as soon as enough items are warm, then once the likes grew by
 * `minNewLikes` and `minNewShare` since the last fit, at the first pause in the log (a burst,
 * such as an import, is fitted once, when it ends) or after `maxWaitMs`. Lists use the current
 * fit; a new item is placed by it the moment it is indexed (nothing is refitted for that).
 */
export class PlacementRefit {
  private readonly fitted = new Map<string, Fitted>();
  /** Likes at which a first fit of an index found too few warm items: retried only after more arrived. */
  private readonly unfittable = new Map<string, number>();
  private lastLikes = -1;
  private dueSinceMs: number | undefined;

  constructor(
    private readonly model: BehaviourModel,
    private readonly settings: PlacementSettings = DEFAULT_PLACEMENT_SETTINGS,
    private readonly refit: RefitSettings = DEFAULT_REFIT_SETTINGS,
  ) {}

  /** The placement lists of this index use now; undefined before the first fit. */
  current(index: string): Placement | undefined {
    return this.fitted.get(index)?.placement;
  }

  /** One tick of the background loop: refits the indexes that are due; returns what it fitted. */
  tick(indexes: ReadonlyMap<string, ItemVectors>, nowMs: number): { index: string; version: string | undefined; trainedOn: number; likes: number; fitMs: number }[] {
    const likes = this.model.interactions;
    const quiet = likes === this.lastLikes;
    this.lastLikes = likes;
    const due = [...indexes.keys()].filter((index) => this.isDue(index, likes));
    if (due.length === 0) {
      this.dueSinceMs = undefined;
      return [];
    }
    this.dueSinceMs ??= nowMs;
    if (!quiet && nowMs - this.dueSinceMs < this.refit.maxWaitMs) return [];
    this.dueSinceMs = undefined;
    return due.map((index) => {
      const started = performance.now();
      const placement = Placement.fit(indexes.get(index) as ItemVectors, this.model, this.settings);
      // Too few warm items: the last fit (if any) stays, and a first fit waits for more likes.
      if (placement) {
        placement.placeAll();
        this.fitted.set(index, { placement, likes });
      } else {
        this.unfittable.set(index, likes);
      }
      return { index, version: placement?.version, trainedOn: placement?.trainedOn ?? 0, likes, fitMs: Math.round(performance.now() - started) };
    });
  }

  private isDue(index: string, likes: number): boolean {
    const fitted = this.fitted.get(index);
    if (!fitted) return likes > 0 && likes !== this.unfittable.get(index);
    const grown = likes - fitted.likes;
    return grown >= this.refit.minNewLikes && grown >= this.refit.minNewShare * fitted.likes;
  }
}
