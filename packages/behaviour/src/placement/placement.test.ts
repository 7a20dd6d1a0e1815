import { describe, expect, it } from 'vitest';
import type { BehaviourEntry } from '../behaviour-entry.js';
import { BehaviourModel } from '../behaviour-model.js';
import { Placement, type ItemVectors } from './placement.js';

/** Two shelves far apart in content (axis 0 and axis 1), each read by its own crowd. */
function world() {
  const vectors = new Map<string, Float32Array>();
  const unit = (x: number, y: number, z: number) => {
    const n = Math.hypot(x, y, z);
    return Float32Array.from([x / n, y / n, z / n]);
  };
  for (let i = 0; i < 12; i++) {
    vectors.set(`a${i}`, unit(1, 0.05 * i, 0.1));
    vectors.set(`b${i}`, unit(0.05 * i, 1, 0.1));
  }
  const model = new BehaviourModel({ halfLifeMs: 0 });
  let at = 0;
  for (const shelf of ['a', 'b']) {
    for (let reader = 0; reader < 10; reader++) {
      const read: string[] = [];
      for (let i = 0; i < 12; i++) {
        if ((i + reader) % 3 === 0) continue;
        const itemId = `${shelf}${i}`;
        const entry: BehaviourEntry = { kind: 'like', itemId, userId: `${shelf}-${reader}`, atMs: at++, partners: [...read].reverse(), categories: [] };
        model.apply(entry);
        read.push(itemId);
      }
    }
  }
  const items: ItemVectors = { ids: () => vectors.keys(), vector: (id) => vectors.get(id) };
  return { vectors, model, items, unit };
}

describe('Placement', () => {
  it('places a new item among the warm items its content resembles, on the co-occurrence scale', () => {
    const { vectors, model, items, unit } = world();
    const placement = Placement.fit(items, model, { minLikes: 5, anchors: 50, ridge: 0.1, minTrainingItems: 10 });
    expect(placement).toBeDefined();
    vectors.set('a-new', unit(1, 0.3, 0.1));
    vectors.set('b-new', unit(0.3, 1, 0.1));
    const nearA = placement?.neighbours(['a5'], 10).get('a5') ?? [];
    const nearB = placement?.neighbours(['b5'], 10).get('b5') ?? [];
    // Only cold items are placed (the new ones, and the shelf's first books, which no reader had
    // liked anything before): the warm ones have neighbours of their own.
    expect(nearA.map((n) => n.itemId)).toContain('a-new');
    expect(nearA.every((n) => placement?.isCold(n.itemId))).toBe(true);
    expect(placement?.isCold('a5')).toBe(false);
    const score = (list: readonly { itemId: string; score: number }[], id: string) => list.find((n) => n.itemId === id)?.score ?? 0;
    expect(score(nearA, 'a-new')).toBeGreaterThan(score(nearA, 'b-new'));
    expect(score(nearB, 'b-new')).toBeGreaterThan(score(nearB, 'a-new'));
    // Comparable with the real neighbours: the same order of magnitude as a5's co-liked shares.
    const real = model.alsoLiked('a5', 1)[0]?.score ?? 0;
    expect(score(nearA, 'a-new')).toBeGreaterThan(real / 10);
    expect(score(nearA, 'a-new')).toBeLessThanOrEqual(1);
  });

  it('gives a seed that is itself new the warm neighbours of the shelf it resembles', () => {
    const { vectors, model, items, unit } = world();
    const placement = Placement.fit(items, model, { minLikes: 5, anchors: 50, ridge: 0.1, minTrainingItems: 10 });
    vectors.set('a-new', unit(1, 0.3, 0.1));
    const neighbours = placement?.neighbours(['a-new'], 5).get('a-new') ?? [];
    expect(neighbours).toHaveLength(5);
    expect(neighbours.every((n) => n.itemId.startsWith('a'))).toBe(true);
  });

  it('points the fan-out at the readers of the books a new item is placed among', () => {
    const { model, items, unit } = world();
    const placement = Placement.fit(items, model, { minLikes: 5, anchors: 50, ridge: 0.1, minTrainingItems: 10 });
    const place = placement?.placeVector(unit(1, 0.3, 0.1));
    const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);
    expect(place).toBeDefined();
    expect(Math.hypot(...(place ?? []))).toBeCloseTo(1);
    expect(cosine(place as Float32Array, unit(1, 0.3, 0.1))).toBeGreaterThan(cosine(place as Float32Array, unit(0.3, 1, 0.1)));
    expect(placement?.placeVector(Float32Array.from([1, 0]))).toBeUndefined();
  });

  it('is reproducible (one version for the same inputs) and waits for enough warm items', () => {
    const { model, items } = world();
    const settings = { minLikes: 5, anchors: 50, ridge: 0.1, minTrainingItems: 10 };
    expect(Placement.fit(items, model, settings)?.version).toBe(Placement.fit(items, model, settings)?.version);
    expect(Placement.fit(items, model, { ...settings, minTrainingItems: 1_000 })).toBeUndefined();
    expect(Placement.fit(items, new BehaviourModel(), settings)).toBeUndefined();
  });
});
