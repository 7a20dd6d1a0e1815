import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, MAX_BODY_BYTES, parseEventBody } from '@coldstart/events';
import { expand, hostileEvents, hostileInterests, hostileItemTexts } from './corpus/hostile/hostile-corpus.js';

const events = hostileEvents().map((entry, index) => ({ ...entry, line: index + 1 }));

describe('the hostile events corpus', () => {
  it('covers both outcomes and every event type, and stays small on disk', () => {
    expect(events.length).toBeGreaterThanOrEqual(60);
    expect(events.filter((e) => e.expect === 'rejected').length).toBeGreaterThanOrEqual(30);
    for (const type of EVENT_TYPES) expect(events.some((e) => e.expect === 'accepted' && e.type === type), type).toBe(true);
    // The oversize bodies really are oversize once expanded.
    expect(events.some((e) => expand(e.body, e.pad).length > MAX_BODY_BYTES)).toBe(true);
  });

  it.each(events)('line $line: $note', (entry) => {
    const body = expand(entry.body, entry.pad);
    let result: ReturnType<typeof parseEventBody> | undefined;
    expect(() => (result = parseEventBody(body))).not.toThrow();
    if (entry.expect === 'accepted') {
      expect(result, result?.ok === false ? result.error : '').toMatchObject({ ok: true, event: { type: entry.type } });
    } else {
      expect(result?.ok).toBe(false);
      if (result?.ok !== false) return;
      expect(result.error).toContain(entry.errorIncludes);
      // A reason goes into logs and SQS attributes: short, and nothing raw from the body.
      expect(result.error.length).toBeLessThanOrEqual(600);
      expect(result.error).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(result.error.isWellFormed()).toBe(true);
    }
  });

  it('leaves Object.prototype alone after every __proto__ and constructor body', () => {
    for (const entry of events) parseEventBody(expand(entry.body, entry.pad));
    const probe: Record<string, unknown> = {};
    expect(probe['polluted']).toBeUndefined();
    expect(probe['isAdmin']).toBeUndefined();
  });

  it('keeps a __proto__ attribute from becoming the prototype of the parsed attributes', () => {
    const entry = events.find((e) => e.note.startsWith('__proto__ / constructor keys'));
    const result = parseEventBody(entry!.body);
    expect(result.ok).toBe(true);
    if (!result.ok || result.event.type !== 'item.upserted') return;
    const attributes = result.event.attributes!;
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect((attributes as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('accepts every hostile item text and interest the end-to-end test sends', () => {
    const envelope = { schemaVersion: 1, eventId: 'e-1', occurredAt: '2025-01-01T00:00:00Z' };
    for (const { note, ...fields } of hostileItemTexts()) {
      const result = parseEventBody(JSON.stringify({ ...envelope, type: 'item.upserted', itemId: 'i-1', ...fields }));
      expect(result, `${note}: ${result.ok ? '' : result.error}`).toMatchObject({ ok: true });
    }
    for (const { note, category } of hostileInterests()) {
      const result = parseEventBody(JSON.stringify({ ...envelope, type: 'user.signup', userId: 'u-1', interests: { categories: [category] } }));
      expect(result, `${note}: ${result.ok ? '' : result.error}`).toMatchObject({ ok: true });
    }
  });
});
