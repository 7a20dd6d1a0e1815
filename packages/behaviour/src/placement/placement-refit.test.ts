import { describe, expect, it } from 'vitest';
import { BehaviourModel } from '../behaviour-model.js';
import type { ItemVectors } from './placement.js';
import { PlacementRefit } from './placement-refit.js';

/** 25 items on a circle, each liked by readers who liked the previous ones. */
function feed(model: BehaviourModel, readers: number, from = 0) {
  for (let reader = from; reader < from + readers; reader++) {
    const read: string[] = [];
    for (let i = 0; i < 25; i += 1 + (reader % 2)) {
      model.apply({ kind: 'like', itemId: `i${i}`, userId: `r${reader}`, atMs: 0, partners: [...read].reverse().slice(0, 50), categories: [] });
      read.push(`i${i}`);
    }
  }
}
const index: ItemVectors = {
  ids: () => Array.from({ length: 25 }, (_, i) => `i${i}`).values(),
  vector: (id) => {
    const angle = Number(id.slice(1)) / 4;
    return Float32Array.from([Math.cos(angle), Math.sin(angle), 0.2]);
  },
};
const settings = { minLikes: 5, anchors: 100, ridge: 1, minTrainingItems: 20 };

describe('PlacementRefit', () => {
  it('fits at the first pause in the log, refits only after enough new likes, and never blocks on a busy log forever', () => {
    const model = new BehaviourModel({ halfLifeMs: 0 });
    const refit = new PlacementRefit(model, settings, { minNewLikes: 100, minNewShare: 0.1, maxWaitMs: 5_000 });
    const indexes = new Map([['enc', index]]);
    expect(refit.tick(indexes, 0)).toEqual([]);
    feed(model, 20);
    // Likes still arriving: wait for a pause.
    expect(refit.tick(indexes, 1_000)).toEqual([]);
    const [first] = refit.tick(indexes, 2_000);
    expect(first?.version).toMatch(/^[0-9a-f]{12}$/);
    expect(refit.current('enc')?.version).toBe(first?.version);
    // A few more likes: not due.
    feed(model, 1, 20);
    refit.tick(indexes, 3_000);
    expect(refit.tick(indexes, 4_000)).toEqual([]);
    // Many more, arriving at every tick: fitted once the wait runs out.
    let fitted: ReturnType<PlacementRefit['tick']> = [];
    for (let t = 5_000; t <= 12_000 && fitted.length === 0; t += 1_000) {
      feed(model, 5, 100 + t);
      fitted = refit.tick(indexes, t);
    }
    expect(fitted[0]?.version).toMatch(/^[0-9a-f]{12}$/);
    expect(fitted[0]?.version).not.toBe(first?.version);
  });

  it('leaves an index unfitted while too few items are warm, and tries again once more likes came', () => {
    const model = new BehaviourModel({ halfLifeMs: 0 });
    const refit = new PlacementRefit(model, settings);
    const indexes = new Map([['enc', index]]);
    feed(model, 3);
    refit.tick(indexes, 0);
    const [attempt] = refit.tick(indexes, 1_000);
    expect(attempt?.version).toBeUndefined();
    expect(refit.current('enc')).toBeUndefined();
    expect(refit.tick(indexes, 2_000)).toEqual([]);
    feed(model, 20, 3);
    refit.tick(indexes, 3_000);
    expect(refit.tick(indexes, 4_000)[0]?.version).toMatch(/^[0-9a-f]{12}$/);
  });
});
