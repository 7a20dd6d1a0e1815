import { describe, expect, it } from 'vitest';
import { hashedTextVector } from './hashed-text-vector.js';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);

describe('hashedTextVector', () => {
  it('gives any text, in any script or of symbols alone, the same unit vector every time', () => {
    for (const text of ['الأيام', '1984', '!!!', 'ア', '📚📚', ' ']) {
      const vector = hashedTextVector(text, 100);
      expect(vector).toHaveLength(100);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
      expect(hashedTextVector(text, 100)).toEqual(vector);
    }
  });

  it('points texts that share characters closer together than unrelated ones', () => {
    const a = hashedTextVector('ثلاثية غرناطة', 100);
    const b = hashedTextVector('ثلاثية غرناطة الجزء الثاني', 100);
    const c = hashedTextVector('1Q84', 100);
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c));
  });
});
