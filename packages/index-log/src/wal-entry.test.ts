import { describe, expect, it } from 'vitest';
import { decodeWalVector } from './wal-entry.js';

describe('decodeWalVector', () => {
  it('reads little-endian float32 and refuses a vector of the wrong size or encoding', () => {
    const bytes = Buffer.alloc(8);
    bytes.writeFloatLE(1.5, 0);
    bytes.writeFloatLE(-2, 4);
    expect(decodeWalVector('1-0', bytes.toString('base64'), 2)).toEqual(new Float32Array([1.5, -2]));
    expect(() => decodeWalVector('1-0', bytes.toString('base64'), 3)).toThrow(/log entry 1-0: vector has 8 bytes, expected 3 float32/);
    expect(() => decodeWalVector('1-0', 'not base64!', 2)).toThrow(/not valid base64/);
  });
});
