import { describe, expect, it } from 'vitest';
import { explorationAt, explore } from './explore.js';
import type { RankedItem, Reason } from './types.js';

const item = (itemId: string, score: number, reason: Reason = { kind: 'also-liked', source: 's', similarity: score }): RankedItem => ({ itemId, score, reason });
/** Warm w0..w19 by descending score, new n0..n4 below them. */
const merit = Array.from({ length: 20 }, (_, i) => item(`w${i}`, 10 - i / 10));
const fresh = [item('n0', 1.5, { kind: 'topic', source: 'dragons', similarity: 0.9 }), item('n1', 1.4), item('n2', 1.3), item('n3', 1.2), item('n4', 1.1)];
const candidates = [...merit, ...fresh];
const isNew = (id: string) => id.startsWith('n');

describe('explore', () => {
  it('gives positions 1, 4 and 7 of ten to the best new items at weight 0.3, and says why', () => {
    const list = explore(merit.slice(0, 10), candidates, { weight: 0.3, isExplorable: isNew, uptakeWeight: 0, seedWeight: 0, authorWeight: 0 }, 10);
    expect(list.map((i) => i.itemId)).toEqual(['n0', 'w0', 'w1', 'n1', 'w2', 'w3', 'n2', 'w4', 'w5', 'w6']);
    expect(list[0]?.reason).toEqual({ kind: 'new-in', source: 'dragons', similarity: 0.9 });
    expect(list[3]?.reason.kind).toBe('exploring');
    expect(list[3]?.reason.source).toBe('');
  });

  it('keeps every prefix the list a shorter one would be', () => {
    const exploration = { weight: 0.3, isExplorable: isNew, uptakeWeight: 0, seedWeight: 0, authorWeight: 0 };
    const ten = explore(merit.slice(0, 10), candidates, exploration, 10);
    const twenty = explore(merit, candidates, exploration, 20);
    expect(twenty.slice(0, 10)).toEqual(ten);
    expect(twenty.filter((i) => isNew(i.itemId))).toHaveLength(5);
  });

  it('counts new items that earned their place, and changes nothing at weight 0 or without new candidates', () => {
    const earnedMerit = [item('n0', 20), ...merit.slice(0, 9)];
    const list = explore(earnedMerit, [...earnedMerit, ...fresh.slice(1)], { weight: 0.3, isExplorable: isNew, uptakeWeight: 0, seedWeight: 0, authorWeight: 0 }, 10);
    expect(list[0]).toEqual(earnedMerit[0]);
    expect(list.filter((i) => isNew(i.itemId))).toHaveLength(3);
    expect(explore(merit.slice(0, 10), candidates, { weight: 0, isExplorable: isNew, uptakeWeight: 0, seedWeight: 0, authorWeight: 0 }, 10)).toEqual(merit.slice(0, 10));
    expect(explore(merit.slice(0, 10), merit, { weight: 0.3, isExplorable: isNew, uptakeWeight: 0, seedWeight: 0, authorWeight: 0 }, 10)).toEqual(merit.slice(0, 10));
  });

  it('prefers a new item readers are already taking to, by its uptake weight', () => {
    const uptake = (id: string) => (id === 'n4' ? 10 : 0);
    const list = explore(merit.slice(0, 10), candidates, { weight: 0.1, isExplorable: isNew, uptake, uptakeWeight: 1, seedWeight: 0, authorWeight: 0 }, 10);
    expect(list[0]?.itemId).toBe('n4');
  });

  it('prefers a new item by an author of the user\'s items, by its author weight', () => {
    const byTheirAuthor = (id: string) => id === 'n2';
    const exploration = { weight: 0.1, isExplorable: isNew, sharesAuthor: byTheirAuthor, uptakeWeight: 0, seedWeight: 0, authorWeight: 1 };
    expect(explore(merit.slice(0, 10), candidates, exploration, 10)[0]?.itemId).toBe('n2');
    expect(explore(merit.slice(0, 10), candidates, { ...exploration, authorWeight: 0 }, 10)[0]?.itemId).toBe('n0');
  });

  it('prefers a new item that resembles what the user named, by its seed weight', () => {
    const closeToSeed = (id: string) => (id === 'n3' ? 0.9 : 0.1);
    const exploration = { weight: 0.1, isExplorable: isNew, uptakeWeight: 0, seedWeight: 1, authorWeight: 0 };
    expect(explore(merit.slice(0, 10), candidates, exploration, 10, closeToSeed)[0]?.itemId).toBe('n3');
    expect(explore(merit.slice(0, 10), candidates, { ...exploration, seedWeight: 0 }, 10, closeToSeed)[0]?.itemId).toBe('n0');
  });
});

describe('explorationAt', () => {
  const settings = { weight: 0.3, maxAgeDays: 30, maxLikes: 4, uptakeWeight: 0.1, seedWeight: 0.3, authorWeight: 0.3 };
  const now = Date.parse('2026-06-01T00:00:00Z');
  const added = new Map([
    ['young', now - 86_400_000],
    ['young-but-known', now - 86_400_000],
    ['old', now - 31 * 86_400_000],
  ]);
  const likes = (id: string) => (id === 'young-but-known' ? 5 : 0);
  const known = { userItems: ['old'], addedAt: (id: string) => added.get(id), likes };

  it('explores items younger than the cut-off with too little behaviour, and is off at weight 0', () => {
    const exploration = explorationAt(settings, known, now);
    expect(exploration?.isExplorable('young')).toBe(true);
    expect(exploration?.isExplorable('young-but-known')).toBe(false);
    expect(exploration?.isExplorable('old')).toBe(false);
    expect(exploration?.isExplorable('unknown')).toBe(false);
    expect(explorationAt({ ...settings, weight: 0 }, known, now)).toBeUndefined();
  });

  it('explores only for a user with an item that is not itself explorable (old, or with behaviour of its own)', () => {
    expect(explorationAt(settings, { ...known, userItems: ['young', 'young-but-known'] }, now)).toBeDefined();
    expect(explorationAt(settings, { ...known, userItems: ['young', 'unknown'] }, now)).toBeDefined();
    expect(explorationAt(settings, { ...known, userItems: ['young'] }, now)).toBeUndefined();
    expect(explorationAt(settings, { ...known, userItems: [] }, now)).toBeUndefined();
    expect(explorationAt({ ...settings, maxAgeDays: 40 }, known, now)).toBeUndefined();
  });

  it('knows which new items share an author with the user\'s items, whatever the case or spacing', () => {
    const authors = new Map([
      ['old', ['Ursula K. Le Guin', 'Someone Else']],
      ['young', ['ursula k.  le guin']],
      ['young-but-known', ['Another Writer']],
    ]);
    const exploration = explorationAt(settings, { ...known, authors: (id) => authors.get(id) }, now);
    expect(exploration?.sharesAuthor?.('young')).toBe(true);
    expect(exploration?.sharesAuthor?.('young-but-known')).toBe(false);
    expect(exploration?.sharesAuthor?.('unknown')).toBe(false);
  });
});
