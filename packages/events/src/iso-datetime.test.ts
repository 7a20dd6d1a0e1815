import { describe, expect, it } from 'vitest';
import { canonicalDateTime, parseIsoDateTime } from './iso-datetime.js';

describe('parseIsoDateTime', () => {
  it.each([
    ['2025-03-14T09:26:53Z', '2025-03-14T09:26:53.000Z'],
    ['2025-03-14T10:26:53+01:00', '2025-03-14T09:26:53.000Z'],
    ['2025-03-14T10:26:53+0100', '2025-03-14T09:26:53.000Z'],
    ['2025-03-14T10:26:53+01', '2025-03-14T09:26:53.000Z'],
    ['2025-03-14T04:26:53.5-05:00', '2025-03-14T09:26:53.500Z'],
    ['2025-03-14T09:26:53.123456789Z', '2025-03-14T09:26:53.123Z'],
    ['2025-03-14T09:26:53,25Z', '2025-03-14T09:26:53.250Z'],
    ['2025-03-14T09:26Z', '2025-03-14T09:26:00.000Z'],
    ['2025-03-14t09:26:53z', '2025-03-14T09:26:53.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('accepts %s as %s', (input, canonical) => {
    expect(canonicalDateTime(input)).toBe(canonical);
  });

  it.each([
    '2025-03-14T09:26:53', // no zone
    '2025-03-14 09:26:53Z', // not the T separator
    '2025-03-14',
    '2025-02-29T00:00:00Z', // not a leap year
    '2025-04-31T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-03-14T24:00:00Z',
    '2025-03-14T09:60:00Z',
    '2025-03-14T09:26:53+25:00',
    '20250314T092653Z', // basic format: not what JSON producers send
    'yesterday',
    '',
  ])('rejects %j', (input) => {
    expect(parseIsoDateTime(input)).toBeUndefined();
  });
});
