import { describe, expect, it } from 'vitest';
import { groupFailures, normaliseFailureReason } from './failure-groups.js';

describe('normaliseFailureReason', () => {
  it.each([
    ['item 123 not found (attempt 4)', 'item <n> not found (attempt <n>)'],
    ['item gb-123 not found', 'item gb-<n> not found'],
    ['user user-5f2c81d0 has no profile', 'user user-<id> has no profile'],
    ['event 0b6f4a52-3c1e-4d8a-9f27-5e1c2d7a9b01 is stale', 'event <id> is stale'],
    ['child cs:bull:embed:embed-topics-3f2a9c0b1d4e5f60718293a4b5c6d7e8f9012345 failed', 'child cs:bull:embed:embed-topics-<id> failed'],
    ['occurredAt 2025-03-14T09:26:53.120Z is older than 2025-03-15T10:00:00+01:00', 'occurredAt <time> is older than <time>'],
    ['job did not finish within 60000 ms', 'job did not finish within <n> ms'],
    ['invalid expand-topics data: userId: Too small', 'invalid expand-topics data: userId: Too small'],
    ['  spaced\n  out  ', 'spaced out'],
  ])('%j → %j', (raw, normalised) => {
    expect(normaliseFailureReason(raw)).toBe(normalised);
  });
});

describe('groupFailures', () => {
  it('counts jobs whose messages differ only in ids and numbers together, largest group first, with an example', () => {
    const groups = groupFailures([
      { id: 'a', name: 'upsert-item', failedReason: 'item 1 not found', finishedOn: 1_000 },
      { id: 'b', name: 'delete-item', failedReason: 'item 22 not found', finishedOn: 3_000 },
      { id: 'c', name: 'upsert-item', failedReason: 'Redis timeout', finishedOn: 2_000 },
      { id: 'd', name: 'upsert-item', failedReason: 'item 333 not found', finishedOn: 2_000 },
      { id: 'e', name: 'upsert-item', failedReason: undefined },
    ]);
    expect(groups).toEqual([
      {
        reason: 'item <n> not found',
        count: 3,
        exampleJobId: 'a',
        exampleReason: 'item 1 not found',
        jobNames: ['delete-item', 'upsert-item'],
        lastFailedAt: new Date(3_000).toISOString(),
      },
      { reason: '(no reason recorded)', count: 1, exampleJobId: 'e', exampleReason: '(no reason recorded)', jobNames: ['upsert-item'], lastFailedAt: null },
      { reason: 'Redis timeout', count: 1, exampleJobId: 'c', exampleReason: 'Redis timeout', jobNames: ['upsert-item'], lastFailedAt: new Date(2_000).toISOString() },
    ]);
  });

  it('is empty for no jobs', () => {
    expect(groupFailures([])).toEqual([]);
  });
});
