import { describe, expect, it } from 'vitest';
import { hashText, mulberry32, seededRandom, shuffle } from './prng.js';

// The sequences the fixtures, eval splits and test-server answers were made with: a change
// here silently changes every one of them.
describe('seeded PRNG', () => {
  it('mulberry32 gives the sequence it always gave', () => {
    const random = mulberry32(42);
    expect([random(), random(), random()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  });

  it('seededRandom seeds mulberry32 with the FNV-1a hash of the parts', () => {
    const random = seededRandom(7, 'faults', 3);
    expect([random(), random(), random()]).toEqual([0.03699986822903156, 0.1318815052509308, 0.8414144881535321]);
    expect(seededRandom('a', 1)()).toBe(mulberry32(hashText('a\u00001'))());
  });

  it('hashText is FNV-1a', () => {
    expect(hashText('')).toBe(0x811c9dc5);
    expect(hashText('a')).toBe(0xe40c292c);
  });

  it('shuffle permutes in place, the same way for the same stream', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(shuffle(items, mulberry32(1))).toBe(items);
    expect(items).toEqual([3, 2, 7, 8, 5, 4, 1, 6]);
  });
});
