/**
 * Durations and rates for the operations commands: `30m`, `2h`, `7d`, `1h30m`, `45s`, `500ms`,
 * `2w`. A bare number is refused, because "30" could mean seconds or minutes.
 */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

export class DurationError extends Error {
  override readonly name = 'DurationError';
}

/** Milliseconds in `text`; throws a DurationError naming the accepted forms. */
export function parseDuration(text: string): number {
  const input = text.trim().toLowerCase();
  if (input.length === 0) throw new DurationError('a duration is required, e.g. 30m, 2h or 7d');
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < input.length) {
    const start = PART.lastIndex;
    const match = PART.exec(input);
    if (!match || match.index !== start) {
      throw new DurationError(`"${text}" is not a duration: use a number with a unit (ms, s, m, h, d, w), e.g. 30m, 2h, 7d or 1h30m`);
    }
    total += Number(match[1]) * UNIT_MS[match[2] as Unit];
  }
  if (!Number.isFinite(total)) throw new DurationError(`"${text}" is too long a duration`);
  return Math.round(total);
}

/** `3d 4h`, `2h 5m`, `5m 3s`, `12s`, `250ms`: the largest unit and the next one, for people. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = Math.floor(ms / 1_000);
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor(seconds / 3_600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([count]) => count > 0);
  return parts
    .slice(first, first + 2)
    .filter(([count]) => count > 0)
    .map(([count, unit]) => `${count}${unit}`)
    .join(' ');
}

/** Messages per second from `5`, `5/s`, `300/m` or `0.5/s`; must be positive. */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min|h))?\s*$/i.exec(text);
  const value = match ? Number(match[1]) : NaN;
  if (!match || !(value > 0)) throw new DurationError(`"${text}" is not a rate: use messages per second, e.g. 5, 5/s or 300/m`);
  const per = (match[2] ?? 's').toLowerCase();
  return per.startsWith('m') ? value / 60 : per === 'h' ? value / 3_600 : value;
}
