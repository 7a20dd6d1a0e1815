import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from './event-schemas.js';
import { peekEventRef } from './peek-event-ref.js';

describe('peekEventRef', () => {
  it('reads the eventId and a known type from a body that fails validation', () => {
    expect(peekEventRef(JSON.stringify({ eventId: 'e-1', type: 'user.signup', userId: 42 }))).toEqual({ eventId: 'e-1', type: 'user.signup' });
  });

  it('leaves out what cannot be trusted: an unknown type, an empty or over-long eventId', () => {
    expect(peekEventRef(JSON.stringify({ eventId: '', type: 'user.deleted' }))).toEqual({});
    expect(peekEventRef(JSON.stringify({ eventId: 'x'.repeat(129), type: 'item.upserted' }))).toEqual({ type: 'item.upserted' });
  });

  it('gives nothing for non-JSON, non-objects and bodies over the size limit', () => {
    expect(peekEventRef('{not json')).toEqual({});
    expect(peekEventRef('null')).toEqual({});
    expect(peekEventRef(JSON.stringify({ eventId: 'e-1', pad: 'x'.repeat(MAX_BODY_BYTES) }))).toEqual({});
  });
});
