import { describe, expect, it } from 'vitest';
import {
  itemDeletedExample,
  itemUpsertedExample,
  userInteractionExample,
  userSignupExample,
} from './event-examples.js';
import { EVENT_TYPES, MAX_BODY_BYTES, type EventType } from './event-schemas.js';
import { parseEventBody } from './parse-event-body.js';

type Expectation = { ok: true; type: EventType } | { ok: false; error: string };

interface Case {
  name: string;
  body: string;
  expect: Expectation;
}

const json = (value: unknown): string => JSON.stringify(value);
const signup = (patch: Record<string, unknown>): string => json({ ...userSignupExample, ...patch });
const interaction = (patch: Record<string, unknown>): string => json({ ...userInteractionExample, ...patch });
const upserted = (patch: Record<string, unknown>): string => json({ ...itemUpsertedExample, ...patch });
const deleted = (patch: Record<string, unknown>): string => json({ ...itemDeletedExample, ...patch });
const interests = (value: unknown): string => signup({ interests: value });
const valid = (type: EventType): Expectation => ({ ok: true, type });
const invalid = (error: string): Expectation => ({ ok: false, error });

/** An item.upserted body of exactly `bytes` UTF-8 bytes, padded by an unknown field. */
function upsertedOfSize(bytes: number, padChar = 'x'): string {
  const base = upserted({ padding: '' });
  const missing = bytes - Buffer.byteLength(base, 'utf8');
  const charBytes = Buffer.byteLength(padChar, 'utf8');
  if (missing < 0 || missing % charBytes !== 0) throw new Error('cannot pad to that size');
  return upserted({ padding: padChar.repeat(missing / charBytes) });
}

/** A valid signup with `depth` levels of nesting in total (the body object is level 1). */
function signupNested(depth: number): string {
  const inner = '['.repeat(depth - 1) + ']'.repeat(depth - 1);
  return `${signup({}).slice(0, -1)},"deep":${inner}}`;
}

const KNOWN_TYPES = EVENT_TYPES.join(', ');
const WELL_FORMED = 'is not well-formed Unicode';
const CONTROL = 'contains a control character';
const DATETIME = 'occurredAt: must be an ISO-8601 date-time with a zone (Z, ±hh:mm, ±hhmm or ±hh)';

const cases: Case[] = [
  // Valid bodies of every type, and their optional parts left out.
  { name: 'user.signup example', body: json(userSignupExample), expect: valid('user.signup') },
  { name: 'user.interaction example', body: json(userInteractionExample), expect: valid('user.interaction') },
  { name: 'item.upserted example', body: json(itemUpsertedExample), expect: valid('item.upserted') },
  { name: 'item.deleted example', body: json(itemDeletedExample), expect: valid('item.deleted') },
  { name: 'interaction without rating', body: interaction({ rating: undefined }), expect: valid('user.interaction') },
  { name: 'signup with categories only', body: interests({ categories: ['horror'] }), expect: valid('user.signup') },
  { name: 'signup with items only', body: interests({ items: [{ itemId: 'gb-5' }] }), expect: valid('user.signup') },
  {
    name: 'minimal item.upserted',
    body: json({ schemaVersion: 1, type: 'item.upserted', eventId: 'e', occurredAt: '2025-01-01T00:00:00Z', itemId: 'i', title: 'T' }),
    expect: valid('item.upserted'),
  },
  { name: 'item.deleted pretty-printed', body: JSON.stringify(itemDeletedExample, null, 2), expect: valid('item.deleted') },

  // Ids: 1–128 UTF-16 code units, no controls, well-formed.
  { name: 'userId of 128 chars', body: signup({ userId: 'u'.repeat(128) }), expect: valid('user.signup') },
  { name: 'userId of 129 chars', body: signup({ userId: 'u'.repeat(129) }), expect: invalid('userId: must be 1–128 characters') },
  { name: 'eventId of 128 chars', body: deleted({ eventId: 'e'.repeat(128) }), expect: valid('item.deleted') },
  { name: 'eventId of 129 chars', body: deleted({ eventId: 'e'.repeat(129) }), expect: invalid('eventId: must be 1–128 characters') },
  { name: 'empty itemId', body: deleted({ itemId: '' }), expect: invalid('itemId: must be 1–128 characters') },
  { name: 'missing itemId', body: deleted({ itemId: undefined }), expect: invalid('itemId: is required') },
  { name: 'numeric itemId', body: deleted({ itemId: 42 }), expect: invalid('itemId: must be a string (got 42)') },
  { name: 'id with NUL escape', body: signup({ userId: 'a\u0000b' }), expect: invalid(`userId: ${CONTROL}`) },
  { name: 'id with DEL', body: signup({ userId: 'a\u007fb' }), expect: invalid(`userId: ${CONTROL}`) },
  { name: 'id with C1 NEL', body: interaction({ itemId: 'a\u0085b' }), expect: invalid(`itemId: ${CONTROL}`) },
  { name: 'id with a newline', body: deleted({ itemId: 'gb-1\n' }), expect: invalid(`itemId: ${CONTROL}`) },
  // JSON.stringify writes a lone surrogate as the escape \ud800, so this is the escaped form.
  { name: 'id with \\ud800 escape', body: signup({ userId: 'a\ud800b' }), expect: invalid(`userId: ${WELL_FORMED}`) },
  { name: 'id with raw lone surrogate', body: `{"schemaVersion":1,"type":"item.deleted","eventId":"e\ud800","occurredAt":"2025-01-01T00:00:00Z","itemId":"i"}`, expect: invalid(`eventId: ${WELL_FORMED}`) },
  { name: 'id with emoji (surrogate pair)', body: signup({ userId: 'reader-📚' }), expect: valid('user.signup') },

  // occurredAt.
  { name: 'occurredAt with +05:30', body: deleted({ occurredAt: '2025-01-01T10:00:00+05:30' }), expect: valid('item.deleted') },
  { name: 'occurredAt with fraction', body: deleted({ occurredAt: '2025-01-01T10:00:00.123456Z' }), expect: valid('item.deleted') },
  { name: 'occurredAt without zone', body: deleted({ occurredAt: '2025-01-01T10:00:00' }), expect: invalid(DATETIME) },
  { name: 'occurredAt date only', body: deleted({ occurredAt: '2025-01-01' }), expect: invalid(DATETIME) },
  { name: 'occurredAt +hhmm', body: deleted({ occurredAt: '2025-01-01T10:00:00+0530' }), expect: valid('item.deleted') },
  { name: 'occurredAt +hh', body: deleted({ occurredAt: '2025-01-01T10:00:00-03' }), expect: valid('item.deleted') },
  { name: 'occurredAt without seconds', body: deleted({ occurredAt: '2025-01-01T10:00Z' }), expect: valid('item.deleted') },
  { name: 'occurredAt with a space for T', body: deleted({ occurredAt: '2025-01-01 10:00:00Z' }), expect: invalid(DATETIME) },
  { name: 'occurredAt 30 February', body: deleted({ occurredAt: '2025-02-30T10:00:00Z' }), expect: invalid(DATETIME) },
  { name: 'occurredAt as epoch number', body: deleted({ occurredAt: 1735725600 }), expect: invalid('occurredAt: must be a string') },

  // Envelope: plain object, schemaVersion, type.
  { name: 'empty string', body: '', expect: invalid('body is not valid JSON') },
  { name: 'JSON null', body: 'null', expect: invalid('body must be a JSON object (got null)') },
  { name: 'JSON array', body: '[]', expect: invalid('body must be a JSON object (got an array)') },
  { name: 'JSON number', body: '42', expect: invalid('body must be a JSON object (got 42)') },
  { name: 'JSON string', body: '"user.signup"', expect: invalid('body must be a JSON object (got a string)') },
  { name: 'JSON true', body: 'true', expect: invalid('body must be a JSON object (got true)') },
  { name: 'schemaVersion 2', body: signup({ schemaVersion: 2 }), expect: invalid('schemaVersion: unsupported version 2') },
  { name: 'schemaVersion "1"', body: signup({ schemaVersion: '1' }), expect: invalid('schemaVersion: unsupported version "1"') },
  { name: 'schemaVersion missing', body: signup({ schemaVersion: undefined }), expect: invalid('schemaVersion: is required') },
  { name: 'unknown type', body: signup({ type: 'user.deleted' }), expect: invalid(`type: unknown type "user.deleted"; known types: ${KNOWN_TYPES}`) },
  { name: 'type missing', body: signup({ type: undefined }), expect: invalid(`type: is required; known types: ${KNOWN_TYPES}`) },
  { name: 'type not a string', body: signup({ type: ['user.signup'] }), expect: invalid('type: must be a string (got an array)') },

  // user.signup interests.
  { name: 'signup with empty interests', body: interests({}), expect: invalid('interests: needs at least one category or item') },
  { name: 'signup with empty arrays', body: interests({ categories: [], items: [] }), expect: invalid('interests: needs at least one category or item') },
  { name: 'signup without interests', body: signup({ interests: undefined }), expect: invalid('interests: is required') },
  { name: '20 categories', body: interests({ categories: Array.from({ length: 20 }, (_, i) => `c${i}`) }), expect: valid('user.signup') },
  { name: '21 categories', body: interests({ categories: Array.from({ length: 21 }, (_, i) => `c${i}`) }), expect: invalid('interests.categories: must have at most 20 entries') },
  { name: 'empty category at [3]', body: interests({ categories: ['a', 'b', 'c', '', 'e'] }), expect: invalid('interests.categories[3]: must be 1–200 characters') },
  { name: 'category of 200 chars', body: interests({ categories: ['c'.repeat(200)] }), expect: valid('user.signup') },
  { name: 'category of 201 chars', body: interests({ categories: ['c'.repeat(201)] }), expect: invalid('interests.categories[0]: must be 1–200 characters') },
  { name: 'blank category', body: interests({ categories: ['  '] }), expect: invalid('interests.categories[0]: must not be blank') },
  { name: '50 items', body: interests({ items: Array.from({ length: 50 }, (_, i) => ({ itemId: `gb-${i + 1}` })) }), expect: valid('user.signup') },
  { name: '51 items', body: interests({ items: Array.from({ length: 51 }, (_, i) => ({ itemId: `gb-${i + 1}` })) }), expect: invalid('interests.items: must have at most 50 entries') },
  { name: 'item without itemId', body: interests({ items: [{ rating: 3 }] }), expect: invalid('interests.items[0].itemId: is required') },
  { name: 'interests as array', body: interests(['fantasy']), expect: invalid('interests: must be an object (got an array)') },
  { name: 'locale zh-Hant-TW', body: signup({ locale: 'zh-Hant-TW' }), expect: valid('user.signup') },
  { name: 'locale with underscore', body: signup({ locale: 'en_GB' }), expect: valid('user.signup') },
  { name: 'locale with a space', body: signup({ locale: 'en GB' }), expect: invalid('locale: must be a language tag') },
  { name: 'locale of 36 chars', body: signup({ locale: `en-${'-abcdefgh'.repeat(4).slice(1)}` + '-x' }), expect: invalid('locale: must be at most 35 characters') },
  { name: 'locale null (absent)', body: signup({ locale: null }), expect: valid('user.signup') },
  { name: 'rating null (absent)', body: interaction({ rating: null }), expect: valid('user.interaction') },
  { name: 'title null', body: upserted({ title: null }), expect: invalid('title: must be a string') },

  // Ratings.
  { name: 'rating 1', body: interaction({ rating: 1 }), expect: valid('user.interaction') },
  { name: 'rating 0', body: interaction({ rating: 0 }), expect: invalid('rating: must be an integer 1–5') },
  { name: 'rating 6', body: interaction({ rating: 6 }), expect: invalid('rating: must be an integer 1–5') },
  { name: 'rating 2.5', body: interaction({ rating: 2.5 }), expect: invalid('rating: must be an integer (got 2.5)') },
  { name: 'rating "5"', body: interaction({ rating: '5' }), expect: invalid('rating: must be a number (got a string)') },
  { name: 'rating 1e400', body: interaction({ rating: 0 }).replace('"rating":0', '"rating":1e400'), expect: invalid('rating: must be a finite number (got a number too large to represent)') },
  { name: 'signup item rating 6', body: interests({ items: [{ itemId: 'gb-1', rating: 6 }] }), expect: invalid('interests.items[0].rating: must be an integer 1–5') },

  // item.upserted free text and bounds.
  { name: 'blank title', body: upserted({ title: '   ' }), expect: invalid('title: must not be blank') },
  { name: 'empty title', body: upserted({ title: '' }), expect: invalid('title: must be 1–1000 characters') },
  { name: 'title of 1000 chars', body: upserted({ title: 't'.repeat(1000) }), expect: valid('item.upserted') },
  { name: 'title of 1001 chars', body: upserted({ title: 't'.repeat(1001) }), expect: invalid('title: must be 1–1000 characters') },
  { name: 'title with \\ud800 escape', body: upserted({ title: 'T' }).replace('"title":"T"', '"title":"T\\ud800"'), expect: invalid(`title: ${WELL_FORMED}`) },
  { name: 'title with NUL escape', body: upserted({ title: 'T\u0000' }), expect: invalid(`title: ${CONTROL}`) },
  { name: 'title with DEL (allowed in free text)', body: upserted({ title: 'T\u007f' }), expect: valid('item.upserted') },
  { name: 'description with tab/newline/CR', body: upserted({ description: 'a\tb\nc\r\n' }), expect: valid('item.upserted') },
  { name: 'description with ESC', body: upserted({ description: 'a\u001b[31m' }), expect: invalid(`description: ${CONTROL}`) },
  { name: 'description of 20,000 chars', body: upserted({ description: 'd'.repeat(20_000) }), expect: valid('item.upserted') },
  { name: 'description of 20,001 chars', body: upserted({ description: 'd'.repeat(20_001) }), expect: invalid('description: must be at most 20000 characters') },
  { name: 'Unicode title', body: upserted({ title: 'Сто лет одиночества — 百年孤独 🦋' }), expect: valid('item.upserted') },
  { name: '51 authors', body: upserted({ authors: Array.from({ length: 51 }, (_, i) => `Author ${i}`) }), expect: invalid('authors: must have at most 50 entries') },
  { name: 'author of 201 chars', body: upserted({ authors: ['a'.repeat(201)] }), expect: invalid('authors[0]: must be 1–200 characters') },
  { name: 'authors as string', body: upserted({ authors: 'Susanna Clarke' }), expect: invalid('authors: must be an array (got a string)') },
  { name: '51 item categories', body: upserted({ categories: Array.from({ length: 51 }, (_, i) => `c${i}`) }), expect: invalid('categories: must have at most 50 entries') },
  { name: '100 attributes', body: upserted({ attributes: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])) }), expect: valid('item.upserted') },
  { name: '101 attributes', body: upserted({ attributes: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) }), expect: invalid('attributes: must have at most 100 keys') },
  { name: 'attribute null', body: upserted({ attributes: { 'page count': null } }), expect: invalid('attributes["page count"]: must be a string, a number or a boolean (got null)') },
  { name: 'attribute nested object', body: upserted({ attributes: { dims: { w: 1 } } }), expect: invalid('attributes.dims: must be a string, a number or a boolean (got an object)') },
  { name: 'attribute empty key', body: upserted({ attributes: { '': 1 } }), expect: invalid('attributes[""]: key is invalid: must be 1–128 characters') },
  { name: 'attribute string of 1001 chars', body: upserted({ attributes: { blurb: 'b'.repeat(1001) } }), expect: invalid('attributes.blurb: must be at most 1000 characters') },

  // Size: 256 KiB of UTF-8, checked before parsing.
  { name: 'body of exactly 262,144 bytes', body: upsertedOfSize(MAX_BODY_BYTES), expect: valid('item.upserted') },
  { name: 'body of 262,145 bytes', body: upsertedOfSize(MAX_BODY_BYTES + 1), expect: invalid('body is at least 262145 UTF-8 bytes, larger than the 262144-byte (256 KiB) limit') },
  { name: 'multi-byte body under 262,144 chars but over in bytes', body: upsertedOfSize(MAX_BODY_BYTES + 2, 'é'), expect: invalid('body is 262146 UTF-8 bytes') },
  { name: '10 MB string', body: 'x'.repeat(10 * 1024 * 1024), expect: invalid('body is at least 10485760 UTF-8 bytes, larger than the 262144-byte (256 KiB) limit') },
  { name: 'oversize but otherwise valid JSON is still rejected', body: upserted({ padding: ' '.repeat(MAX_BODY_BYTES) }), expect: invalid('larger than the 262144-byte (256 KiB) limit') },

  // Hostile JSON.
  { name: '100,000 nested arrays', body: '['.repeat(100_000) + ']'.repeat(100_000), expect: invalid('nesting deeper than 64 levels') },
  { name: '50,000 nested objects (unclosed)', body: '{"a":'.repeat(50_000), expect: invalid('nesting deeper than 64 levels') },
  { name: 'nesting of exactly 64 levels', body: signupNested(64), expect: valid('user.signup') },
  { name: 'nesting of 65 levels', body: signupNested(65), expect: invalid('nesting deeper than 64 levels') },
  { name: 'brackets inside strings do not count as nesting', body: upserted({ title: '['.repeat(500) }), expect: valid('item.upserted') },
  { name: 'escaped quote does not end the string for the depth scan', body: upserted({ title: '\\"' + '['.repeat(100) }), expect: valid('item.upserted') },
  { name: 'NaN literal', body: 'NaN', expect: invalid('body is not valid JSON') },
  { name: 'Infinity as a value', body: interaction({ rating: 1 }).replace('"rating":1', '"rating":Infinity'), expect: invalid('body is not valid JSON') },
  { name: '-Infinity as a value', body: interaction({ rating: 1 }).replace('"rating":1', '"rating":-Infinity'), expect: invalid('body is not valid JSON') },
  { name: 'raw NUL inside a JSON string', body: deleted({ itemId: 'ab' }).replace('"ab"', '"a\u0000b"'), expect: invalid('body is not valid JSON') },
  { name: 'raw NUL after the object', body: `${deleted({})}\u0000`, expect: invalid('body is not valid JSON') },
  { name: 'BOM at the start', body: `\ufeff${deleted({})}`, expect: invalid('body starts with a byte order mark (U+FEFF)') },
  { name: 'single quotes', body: "{'schemaVersion':1}", expect: invalid('body is not valid JSON') },
  { name: 'trailing comma', body: `${deleted({}).slice(0, -1)},}`, expect: invalid('body is not valid JSON') },
  { name: 'two JSON objects', body: deleted({}) + deleted({}), expect: invalid('body is not valid JSON') },
  { name: 'lone surrogate in an unknown field is stripped, not judged', body: deleted({ note: 'x\ud800' }), expect: valid('item.deleted') },

  // Several problems at once: listed with "; ", the rest counted.
  {
    name: 'several issues',
    body: interests({ items: [{ itemId: '', rating: 0 }, { itemId: 'x'.repeat(200) }, { rating: 9 }] }),
    expect: invalid('interests.items[0].itemId: must be 1–128 characters; interests.items[0].rating: must be an integer 1–5; interests.items[1].itemId: must be 1–128 characters; ...and 2 more issues'),
  },
];

describe('parseEventBody', () => {
  it('has a broad table', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases)('$name', ({ body, expect: expected }) => {
    const result = parseEventBody(body);
    if (expected.ok) {
      expect(result, result.ok ? '' : result.error).toMatchObject({ ok: true, event: { type: expected.type } });
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toContain(expected.error);
    }
  });

  it('strips unknown fields, top level and nested', () => {
    const result = parseEventBody(
      json({
        ...userSignupExample,
        extra: 1,
        interests: { ...userSignupExample.interests, mood: 'cosy', items: [{ itemId: 'gb-1', rating: 5, note: 'x' }] },
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event).not.toHaveProperty('extra');
    expect(result.event).toEqual({
      ...userSignupExample,
      interests: { categories: userSignupExample.interests.categories, items: [{ itemId: 'gb-1', rating: 5 }] },
    });
  });

  it('returns the examples unchanged', () => {
    for (const example of [userSignupExample, userInteractionExample, itemUpsertedExample, itemDeletedExample]) {
      expect(parseEventBody(json(example))).toEqual({ ok: true, event: example });
    }
  });

  it('does not let "__proto__" keys pollute prototypes', () => {
    const poison = '{"polluted":"yes","schemaVersion":2,"type":"user.signup"}';
    const body = json(itemUpsertedExample)
      .replace('{', `{"__proto__":${poison},`)
      .replace('"attributes":{', `"attributes":{"__proto__":${poison},`);
    const result = parseEventBody(body);
    expect(result.ok).toBe(true);
    if (!result.ok || result.event.type !== 'item.upserted') return;
    expect(result.event.schemaVersion).toBe(1);
    expect(Object.getPrototypeOf(result.event)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result.event.attributes)).toBe(Object.prototype);
    expect(Object.hasOwn(result.event.attributes ?? {}, '__proto__')).toBe(false);
    expect(Object.keys(result.event.attributes ?? {})).toEqual(Object.keys(itemUpsertedExample.attributes ?? {}));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('does not take "schemaVersion" or "type" from a polluted prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['schemaVersion'] = 1;
    proto['type'] = 'item.deleted';
    try {
      const result = parseEventBody('{"eventId":"e","occurredAt":"2025-01-01T00:00:00Z","itemId":"i"}');
      expect(result).toEqual({ ok: false, error: 'schemaVersion: is required (supported version: 1)' });
    } finally {
      delete proto['schemaVersion'];
      delete proto['type'];
    }
  });

  it('never throws, even for non-strings and every truncation of every example', () => {
    for (const input of [undefined, null, 42, {}, Symbol('x')] as unknown[]) {
      const result = parseEventBody(input as string);
      expect(result.ok).toBe(false);
    }
    for (const example of [userSignupExample, userInteractionExample, itemUpsertedExample, itemDeletedExample]) {
      const text = json(example);
      for (let end = 0; end < text.length; end++) {
        const result = parseEventBody(text.slice(0, end));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.length).toBeGreaterThan(0);
      }
    }
  });

  it('keeps error messages short and free of raw control characters', () => {
    const hostile = [
      `{"a":"${'\u0001'.repeat(1000)}`,
      `{"schemaVersion":1,"type":"${'x'.repeat(100_000)}"}`,
      upserted({ attributes: { ['k'.repeat(100_000)]: 1 } }),
      `${'\u0000'.repeat(1000)}`,
    ];
    for (const body of hostile) {
      const result = parseEventBody(body);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.length).toBeLessThan(400);
      expect(result.error).not.toMatch(/[\u0000-\u001f]/);
      expect(result.error.isWellFormed()).toBe(true);
    }
  });
});
