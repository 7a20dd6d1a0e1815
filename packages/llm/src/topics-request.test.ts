import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './topics-request.js';

describe('retryAfterMs', () => {
  const headers = (entries: Record<string, string>) => new Headers(entries);
  it.each([
    [{ 'retry-after': '3' }, 3_000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'retry-after': 'Fri, 27 Nov 2026 12:00:10 GMT' }, 10_000],
    [{ 'retry-after': 'soon' }, 1_000],
    [{}, 1_000],
    [{ 'retry-after': '86400' }, 60_000],
    [{ 'retry-after': '-5' }, 0],
  ])('%j → %d ms', (entries, expected) => {
    expect(retryAfterMs(headers(entries), Date.parse('2026-11-27T12:00:00Z'))).toBe(expected);
  });
});
