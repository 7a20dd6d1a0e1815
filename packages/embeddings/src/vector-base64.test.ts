import { describe, expect, it } from 'vitest';
import { decodeVectorBase64, encodeVectorBase64 } from './index.js';

describe('vector base64', () => {
  it('round-trips exactly', () => {
    const v = new Float32Array([0.1, -0.25, 1 / 3, 0, -0, 1e-38, 3.4e38]);
    const decoded = decodeVectorBase64(encodeVectorBase64(v), 7);
    expect(decoded).toEqual(v);
    expect(Object.is(decoded[4], -0)).toBe(true);
  });

  it('encodes little-endian float32', () => {
    expect(encodeVectorBase64(new Float32Array([1]))).toBe(Buffer.from([0, 0, 0x80, 0x3f]).toString('base64'));
  });

  it('works on a view into a larger buffer', () => {
    const whole = new Float32Array([9, 1, 2, 9]);
    expect(decodeVectorBase64(encodeVectorBase64(whole.subarray(1, 3)))).toEqual(new Float32Array([1, 2]));
  });

  it('rejects the wrong dimension', () => {
    const s = encodeVectorBase64(new Float32Array(100));
    expect(() => decodeVectorBase64(s, 99)).toThrow(/dimension 100, expected 99/);
    expect(decodeVectorBase64(s, 100)).toHaveLength(100);
  });

  it('rejects byte lengths that are not whole floats', () => {
    expect(() => decodeVectorBase64(Buffer.from([1, 2, 3, 4, 5]).toString('base64'))).toThrow(/multiple of 4/);
  });

  it('rejects malformed base64 instead of skipping junk', () => {
    // Junk, a missing or extra pad, the URL-safe alphabet (Buffer decodes it), non-zero pad bits.
    const valid = encodeVectorBase64(new Float32Array([1, 2]));
    for (const s of ['', 'AAAA AAAA', 'AAAA*AAA', 'AAA', 'AAAAA===', 'AAAA\n', 'AACAPw', 'AACAP-__', valid.replace(/=+$/, ''), `${valid}=`, 'AACAPwAAAEB=']) {
      expect(() => decodeVectorBase64(s), JSON.stringify(s)).toThrow(RangeError);
    }
  });

  it('rejects non-finite values both ways', () => {
    expect(() => encodeVectorBase64(new Float32Array([1, Number.NaN]))).toThrow(/component 1 is not finite/);
    expect(() => encodeVectorBase64(new Float32Array([Infinity]))).toThrow(/not finite/);
    const nan = Buffer.alloc(8);
    nan.writeFloatLE(Number.NaN, 4);
    expect(() => decodeVectorBase64(nan.toString('base64'))).toThrow(/component 1 is not finite/);
  });

  it('rejects empty vectors', () => {
    expect(() => encodeVectorBase64(new Float32Array(0))).toThrow(RangeError);
  });
});
