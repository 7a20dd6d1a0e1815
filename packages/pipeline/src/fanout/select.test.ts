import { describe, expect, it } from 'vitest';
import type { RecommendationList } from '@coldstart/store';
import {
  closestTopic,
  delayUntilDue,
  fanoutEventId,
  fanoutWindow,
  isFanoutEventId,
  labelNewItems,
  newItemReason,
  selectFanoutUsers,
  shouldWidenSearch,
} from './select.js';
import { userInterestVector } from '../recommend/user-vector.js';

const v = (...xs: number[]) => new Float32Array(xs);

describe('fan-out windows', () => {
  it('puts every moment of a window in the same one, and the next moment in the next', () => {
    expect(fanoutWindow(10_000, 5_000)).toBe(2);
    expect(fanoutWindow(14_999, 5_000)).toBe(2);
    expect(fanoutWindow(15_000, 5_000)).toBe(3);
  });

  it('names one event per user and window, recognisably', () => {
    expect(fanoutEventId('u-1', 42)).toBe('fanout:u-1:42');
    expect(fanoutEventId('u-1', 42)).not.toBe(fanoutEventId('u-1', 43));
    expect(fanoutEventId('u-1', 42)).not.toBe(fanoutEventId('u-2', 42));
    expect(isFanoutEventId(fanoutEventId('u-1', 42))).toBe(true);
    expect(isFanoutEventId('0b6f4a52-3c1e-4d8a-9f27-5e1c2d7a9b01')).toBe(false);
  });

  it('runs a window’s rewrite after the window ends, with a little slack', () => {
    // Window 2 of 5 s ends at 15 s; from 11 s that is 4 s, plus a twentieth of a window.
    expect(delayUntilDue(2, 5_000, 11_000)).toBe(4_250);
    // A window moved forward (its predecessor had started) waits for its own end.
    expect(delayUntilDue(3, 5_000, 11_000)).toBe(9_250);
    expect(delayUntilDue(1, 5_000, 11_000)).toBe(250);
  });
});

describe('choosing the users a new item goes to', () => {
  const hits = [
    { id: 'a', score: 0.95 },
    { id: 'b', score: 0.9 },
    { id: 'c', score: 0.8 },
    { id: 'd', score: 0.4 },
  ];
  const settings = { maxUsers: 10, minSimilarity: 0.5, activeSinceMs: 1_000 };

  it('keeps close, recently active users, nearest first', () => {
    const active = new Map([
      ['a', 5_000],
      ['b', 500],
      ['c', 1_000],
      ['d', 9_000],
    ]);
    expect(selectFanoutUsers(hits, active, settings).map((h) => h.id)).toEqual(['a', 'c']);
  });

  it('skips users with no recorded activity and stops at maxUsers', () => {
    const active = new Map([
      ['b', 2_000],
      ['c', 2_000],
    ]);
    expect(selectFanoutUsers(hits, active, settings).map((h) => h.id)).toEqual(['b', 'c']);
    expect(selectFanoutUsers(hits, active, { ...settings, maxUsers: 1 }).map((h) => h.id)).toEqual(['b']);
    expect(selectFanoutUsers(hits, active, { ...settings, maxUsers: 0 })).toEqual([]);
  });

  it('widens the search only while close users may still be hidden behind inactive ones', () => {
    const s = { maxUsers: 2, minSimilarity: 0.5 };
    expect(shouldWidenSearch(hits.slice(0, 3), 3, 1, s, 100)).toBe(true);
    expect(shouldWidenSearch(hits.slice(0, 3), 3, 2, s, 100)).toBe(false); // enough chosen
    expect(shouldWidenSearch(hits, 4, 0, s, 100)).toBe(false); // the last hit is already too far
    expect(shouldWidenSearch(hits.slice(0, 3), 5, 0, s, 100)).toBe(false); // the index had no more
    expect(shouldWidenSearch(hits.slice(0, 3), 3, 0, s, 3)).toBe(false); // searched everything
  });
});

describe('reasons of new items', () => {
  const topics = [
    { topic: 'space opera', vector: v(1, 0, 0) },
    { topic: 'cosy mystery', vector: v(0, 1, 0) },
  ];

  it('names the user’s topic closest to the item', () => {
    expect(closestTopic(topics, v(0.2, 0.9, 0.1))).toBe('cosy mystery');
    expect(closestTopic(topics, v(3, 1, 0))).toBe('space opera');
    expect(closestTopic([], v(1, 0, 0))).toBeUndefined();
    expect(newItemReason('cosy mystery')).toBe('new in cosy mystery');
  });

  it('relabels only the new items, and keeps the ranking’s reason where no topic is known', () => {
    const list: RecommendationList = {
      userId: 'u',
      items: [
        { itemId: 'old', title: 'Old', score: 2, reason: 'space opera' },
        { itemId: 'new', title: 'New', score: 1.5, reason: 'seed:s1' },
        { itemId: 'orphan', title: 'Orphan', score: 1, reason: 'seed:s1' },
      ],
      topics: ['space opera', 'cosy mystery'],
      expansion: { source: 'catalog', expander: 'x' },
      encoder: 'e',
      generatedAt: '2026-01-01T00:00:00.000Z',
      eventId: 'fanout:u:1',
    };
    const labelled = labelNewItems(list, new Set(['new', 'orphan']), (id) => (id === 'new' ? 'cosy mystery' : undefined));
    expect(labelled.items.map((i) => i.reason)).toEqual(['space opera', 'new in cosy mystery', 'seed:s1']);
    expect(list.items[1]?.reason).toBe('seed:s1');
  });
});

describe('a user’s interest vector', () => {
  const weights = { topic: 1, seed: 1, topicDecay: 0.5 };

  it('is the unit direction of the ranking’s weighted topics and seeds', () => {
    const vector = userInterestVector({ topicVectors: [v(2, 0, 0), v(0, 2, 0)], seedVectors: [v(0, 0, 1)], weights });
    // Topics weigh 1/1.5 and 0.5/1.5 (after normalising each to unit length), the seed 1.
    const raw = [2 / 3, 1 / 3, 1];
    const norm = Math.hypot(...raw);
    expect([...(vector ?? [])].map((x) => Number(x.toFixed(5)))).toEqual(raw.map((x) => Number((x / norm).toFixed(5))));
  });

  it('comes from the seeds alone for a user without topics, and is absent without either', () => {
    const vector = userInterestVector({ topicVectors: [], seedVectors: [v(1, 0), v(0, 1)], weights });
    expect([...(vector ?? [])].map((x) => Number(x.toFixed(5)))).toEqual([0.70711, 0.70711]);
    expect(userInterestVector({ topicVectors: [], seedVectors: [], weights })).toBeUndefined();
    expect(userInterestVector({ topicVectors: [v(1, 0)], seedVectors: [], weights: { ...weights, topic: 0 } })).toBeUndefined();
  });
});
