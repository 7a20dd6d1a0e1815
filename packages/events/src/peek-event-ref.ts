import { EVENT_TYPES, MAX_BODY_BYTES } from './event-schemas.js';

/**
 * The eventId and type of a body, as far as they can be read without validating it, so log
 * lines and dead letters about a bad or failing message still name its event.
 */
export function peekEventRef(body: string): { eventId?: string; type?: string } {
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { eventId, type } = parsed as { eventId?: unknown; type?: unknown };
    return {
      ...(typeof eventId === 'string' && eventId.length > 0 && eventId.length <= 128 ? { eventId } : {}),
      ...(typeof type === 'string' && (EVENT_TYPES as readonly string[]).includes(type) ? { type } : {}),
    };
  } catch {
    return {};
  }
}
