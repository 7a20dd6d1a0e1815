import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseRate } from './durations.js';

describe('parseDuration', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['2h', 2 * 3_600_000],
    ['7d', 7 * 86_400_000],
    ['45s', 45_000],
    ['500ms', 500],
    ['2w', 14 * 86_400_000],
    ['1h30m', 90 * 60_000],
    ['1.5h', 90 * 60_000],
    ['0s', 0],
    [' 10M ', 600_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', 'm', '5 minutes', '-5m', '5y', '1h 30m', 'abc', '3d!'])('refuses %j, naming the accepted forms', (text) => {
    expect(() => parseDuration(text)).toThrow(/duration/);
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [12_000, '12s'],
    [65_000, '1m 5s'],
    [2 * 3_600_000 + 5 * 60_000 + 7_000, '2h 5m'],
    [3 * 86_400_000 + 4 * 3_600_000, '3d 4h'],
    [3 * 86_400_000 + 5 * 60_000, '3d'],
    [7 * 86_400_000, '7d'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('parseRate', () => {
  it.each([
    ['5', 5],
    ['5/s', 5],
    ['0.5/s', 0.5],
    ['300/m', 5],
    ['300/min', 5],
    ['3600/h', 1],
  ])('%s is %d per second', (text, perSecond) => {
    expect(parseRate(text)).toBeCloseTo(perSecond);
  });

  it.each(['0', '-1', 'fast', '5/d', ''])('refuses %j', (text) => {
    expect(() => parseRate(text)).toThrow(/rate/);
  });
});
