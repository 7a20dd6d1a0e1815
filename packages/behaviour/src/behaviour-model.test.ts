import { describe, expect, it } from 'vitest';
import type { BehaviourEntry } from './behaviour-entry.js';
import { BehaviourModel } from './behaviour-model.js';

const like = (itemId: string, partners: string[] = [], options: { atMs?: number; categories?: string[]; userId?: string } = {}): BehaviourEntry => ({
  kind: 'like',
  itemId,
  userId: options.userId ?? 'u',
  atMs: options.atMs ?? 0,
  partners,
  categories: options.categories ?? [],
});

describe('BehaviourModel', () => {
  it('ranks popularity as a share of the hottest item, overall and per category', () => {
    const model = new BehaviourModel({ halfLifeMs: 0 });
    for (const entry of [like('a', [], { categories: ['x'] }), like('a'), like('a'), like('b', [], { categories: ['x'] }), like('c', [], { categories: ['y'] }), like('c')]) model.apply(entry);
    expect(model.popularity('a')).toBe(1);
    expect(model.popularity('c')).toBeCloseTo(2 / 3);
    expect(model.popularity('zzz')).toBeUndefined();
    expect(model.popular(2)).toEqual([{ itemId: 'a', score: 1 }, { itemId: 'c', score: 2 / 3 }]);
    expect(model.popular(5, { category: 'x' })).toEqual([{ itemId: 'a', score: 1 }, { itemId: 'b', score: 1 / 3 }]);
    expect(model.popular(5, { category: 'x', exclude: new Set(['a']) })).toEqual([{ itemId: 'b', score: 1 / 3 }]);
    expect(model.interactions).toBe(6);
  });

  it('counts an item popular only in the first of its categories, and knows each category\'s share of all popularity', () => {
    const model = new BehaviourModel({ halfLifeMs: 0 });
    // 'a' is about x and shelved under y too; 'b' is about y.
    for (const entry of [like('a', [], { categories: ['x', 'y'] }), like('a'), like('a'), like('b', [], { categories: ['y'] })]) model.apply(entry);
    expect(model.popular(5, { category: 'x' }).map((i) => i.itemId)).toEqual(['a']);
    expect(model.popular(5, { category: 'y' }).map((i) => i.itemId)).toEqual(['b']);
    expect(model.categoryShare('x')).toBeCloseTo(3 / 4);
    expect(model.categoryShare('y')).toBeCloseTo(1 / 4);
    expect(model.categoryShare('nobody-liked')).toBeUndefined();
    const shelves = new BehaviourModel({ halfLifeMs: 0, popularCategories: 2 });
    shelves.apply(like('a', [], { categories: ['x', 'y'] }));
    expect(shelves.popular(5, { category: 'y' }).map((i) => i.itemId)).toEqual(['a']);
  });

  it('decays popularity: a like one half-life older counts half', () => {
    const day = 86_400_000;
    const model = new BehaviourModel({ halfLifeMs: 10 * day });
    model.apply(like('old', [], { atMs: 0 }));
    model.apply(like('old', [], { atMs: 0 }));
    model.apply(like('new', [], { atMs: 10 * day }));
    // 'old' has two likes of weight 1, 'new' one of weight 2: equal heat.
    expect(model.popularity('old')).toBeCloseTo(1);
    expect(model.popularity('new')).toBeCloseTo(1);
    model.apply(like('new', [], { atMs: 20 * day }));
    expect(model.popular(1)[0]?.itemId).toBe('new');
    expect(model.popularity('old')).toBeCloseTo(2 / 6);
  });

  it('counts co-occurrence both ways and scores it as the share of the item’s likers', () => {
    const model = new BehaviourModel({ halfLifeMs: 0 });
    // u1 likes a then b; u2 likes a then b then c; u3 likes a.
    model.apply(like('a', [], { userId: 'u1' }));
    model.apply(like('b', ['a'], { userId: 'u1' }));
    model.apply(like('a', [], { userId: 'u2' }));
    model.apply(like('b', ['a'], { userId: 'u2' }));
    model.apply(like('c', ['b', 'a'], { userId: 'u2' }));
    model.apply(like('a', [], { userId: 'u3' }));
    expect(model.alsoLiked('a', 5)).toEqual([{ itemId: 'b', score: 2 / 3 }, { itemId: 'c', score: 1 / 3 }]);
    expect(model.alsoLiked('c', 5)).toEqual([{ itemId: 'a', score: 1 }, { itemId: 'b', score: 1 }]);
    expect(model.alsoLiked('nobody', 5)).toEqual([]);
  });

  it('keeps at most the strongest neighbours per item, the same ones whatever replica applies the log', () => {
    const model = new BehaviourModel({ halfLifeMs: 0, maxNeighbours: 3 });
    // Item 'hub' co-occurs with n0..n9; n0 most often, ties broken by id.
    for (let i = 0; i < 10; i++) for (let k = 0; k <= 10 - i; k++) model.apply(like('hub', [`n${i}`], { userId: `u${i}-${k}` }));
    const again = new BehaviourModel({ halfLifeMs: 0, maxNeighbours: 3 });
    for (let i = 0; i < 10; i++) for (let k = 0; k <= 10 - i; k++) again.apply(like('hub', [`n${i}`], { userId: `u${i}-${k}` }));
    const neighbours = model.alsoLiked('hub', 10).map((n) => n.itemId);
    expect(neighbours.length).toBeLessThanOrEqual(6);
    expect(neighbours.slice(0, 3)).toEqual(['n0', 'n1', 'n2']);
    expect(again.alsoLiked('hub', 10)).toEqual(model.alsoLiked('hub', 10));
  });

  it('forgets a deleted item everywhere, and takes it back if it is liked again', () => {
    const model = new BehaviourModel({ halfLifeMs: 0 });
    model.apply(like('a', [], { categories: ['x'] }));
    model.apply(like('a', [], { categories: ['x'] }));
    model.apply(like('b', ['a'], { categories: ['x'] }));
    model.apply({ kind: 'forget', itemId: 'a' });
    expect(model.popularity('a')).toBeUndefined();
    expect(model.popularity('b')).toBe(1);
    expect(model.popular(5, { category: 'x' }).map((i) => i.itemId)).toEqual(['b']);
    expect(model.alsoLiked('b', 5)).toEqual([]);
    expect(model.alsoLiked('a', 5)).toEqual([]);
    model.apply(like('a', ['b']));
    expect(model.alsoLiked('b', 5).map((i) => i.itemId)).toEqual(['a']);
  });
});
