/**
 * ISO-8601 date-time with a zone, in the extended format producers actually send:
 * `2025-03-14T09:26:53Z`, `…53.123456+01:00`, `…53+0100`, `…53+01`, `2025-03-14T09:26Z`.
 * The zone is required (a zone-less time means a different instant on every machine).
 * JavaScript's Date.parse accepts only some of these and invents others (no zone → local
 * time), so the check is explicit, including the calendar (no 31 April, 29 February only in
 * leap years).
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** Milliseconds since the epoch, or undefined when `value` is not such a date-time. */
export function parseIsoDateTime(value: string): number | undefined {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zulu, sign, oh = '0', om = '0'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [offsetHours, offsetMinutes] = [Number(oh), Number(om)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const offset = zulu ? 0 : (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000;
}

/** The same instant as a canonical UTC string (`toISOString`), for ordering and storage. */
export function canonicalDateTime(value: string): string {
  const ms = parseIsoDateTime(value);
  if (ms === undefined) throw new RangeError(`not an ISO-8601 date-time with a zone: ${value}`);
  return new Date(ms).toISOString();
}
