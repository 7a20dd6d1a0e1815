/**
 * Mutations of one item are ordered by the event's occurredAt, then eventId, so events that
 * arrive out of order (SQS does not keep order) never let an older state win. Encoded as
 * "<epoch ms, zero-padded>|<eventId>" so plain string comparison in Lua orders them.
 */
export function mutationVersion(occurredAt: string, eventId: string): string {
  const ms = Date.parse(occurredAt);
  if (!Number.isFinite(ms)) throw new Error(`occurredAt is not a date: ${occurredAt}`);
  return `${String(Math.max(0, ms)).padStart(15, '0')}|${eventId}`;
}
