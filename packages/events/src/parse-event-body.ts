import {
  EVENT_SCHEMAS,
  EVENT_TYPES,
  MAX_BODY_BYTES,
  MAX_NESTING_DEPTH,
  SCHEMA_VERSION,
  type ColdstartEvent,
  type EventType,
} from './event-schemas.js';
import { nestingExceeds } from './json-depth.js';
import { describeValue, eventErrorMap, formatIssues, quoteValue } from './format-issues.js';

export type ParseEventBodyResult = { ok: true; event: ColdstartEvent } | { ok: false; error: string };

const LIMIT = `the ${MAX_BODY_BYTES}-byte (256 KiB) limit`;
const KNOWN_TYPES = `known types: ${EVENT_TYPES.join(', ')}`;

function fail(error: string): ParseEventBodyResult {
  return { ok: false, error };
}

function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

// V8 quotes a slice of the input in its message; that slice may hold control characters
// or half a surrogate pair, which must not leak raw into logs and terminals.
function safeParserMessage(err: unknown): string {
  const message = err instanceof Error ? String(err.message) : 'unknown error';
  const clipped = message.length > 200 ? `${message.slice(0, 200)}…` : message;
  return clipped.toWellFormed().replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
}

function checkedParse(raw: string): ParseEventBodyResult {
  // A UTF-16 code unit never encodes to fewer than one UTF-8 byte, so an over-long string
  // is over the limit without paying for Buffer.byteLength on hundreds of megabytes.
  if (raw.length > MAX_BODY_BYTES) {
    return fail(`body is at least ${raw.length} UTF-8 bytes, larger than ${LIMIT}`);
  }
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > MAX_BODY_BYTES) {
    return fail(`body is ${bytes} UTF-8 bytes, larger than ${LIMIT}`);
  }
  // RFC 8259 forbids senders to add a BOM. Rejecting it, with a message that says so,
  // keeps the contract byte-exact for every consumer rather than only for this parser.
  if (raw.charCodeAt(0) === 0xfeff) {
    return fail('body starts with a byte order mark (U+FEFF); send JSON without a BOM');
  }
  if (nestingExceeds(raw, MAX_NESTING_DEPTH)) {
    return fail(`body has nesting deeper than ${MAX_NESTING_DEPTH} levels`);
  }

  let data: unknown;
  try {
    // JSON.parse makes "__proto__" an ordinary own property, so it cannot pollute.
    data = JSON.parse(raw);
  } catch (err) {
    return fail(`body is not valid JSON: ${safeParserMessage(err)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail(`body must be a JSON object (got ${describeValue(data)})`);
  }

  // Own-property reads: a value inherited from a (polluted elsewhere) prototype must not count.
  const version = Object.hasOwn(data, 'schemaVersion') ? (data as Record<string, unknown>)['schemaVersion'] : undefined;
  if (version === undefined) {
    return fail(`schemaVersion: is required (supported version: ${SCHEMA_VERSION})`);
  }
  if (version !== SCHEMA_VERSION) {
    return fail(`schemaVersion: unsupported version ${quoteValue(version)} (supported version: ${SCHEMA_VERSION})`);
  }

  const type = Object.hasOwn(data, 'type') ? (data as Record<string, unknown>)['type'] : undefined;
  if (type === undefined) return fail(`type: is required; ${KNOWN_TYPES}`);
  if (typeof type !== 'string') return fail(`type: must be a string (got ${describeValue(type)}); ${KNOWN_TYPES}`);
  if (!isEventType(type)) return fail(`type: unknown type ${quoteValue(type)}; ${KNOWN_TYPES}`);

  const result = EVENT_SCHEMAS[type].safeParse(data, { error: eventErrorMap });
  if (!result.success) return fail(formatIssues(result.error.issues));
  return { ok: true, event: result.data };
}

/**
 * Validates one raw SQS message body against the event contract. Never throws: every
 * problem, including hostile input, comes back as `{ ok: false, error }` with the field
 * path and the reason.
 */
export function parseEventBody(raw: string): ParseEventBodyResult {
  // The type says string, but callers holding `unknown` from an SDK get an answer too.
  if (typeof raw !== 'string') return fail(`body must be a string (got ${describeValue(raw)})`);
  try {
    return checkedParse(raw);
  } catch (err) {
    // Unreachable by design; kept so one unforeseen input cannot take down a worker.
    return fail(`body could not be validated: ${safeParserMessage(err)}`);
  }
}
