import { describe, expect, it } from 'vitest';
import { assignVariant, ModelVariants, stableUnitHash, type ModelVariantInput } from './model-variants.js';

const variant = (model: string, weight: number): ModelVariantInput => ({ baseUrl: 'http://vllm:8000/v1', model, weight });
const parse = (input: Record<string, ModelVariantInput>) => ModelVariants.parse(input);

describe('model variants', () => {
  it('fills defaults large enough for five topics (the published 16 tokens truncated every answer)', () => {
    const variants = parse({ 'llama-3.2-3b': { baseUrl: 'http://vllm:8000/v1', model: 'meta-llama/Llama-3.2-3B-Instruct' } });
    expect(variants['llama-3.2-3b']).toMatchObject({ maxTokens: 128, temperature: 0, responseFormat: 'json_schema', promptVersion: 'published-v1', weight: 1 });
  });

  it.each([
    [{}, 'at least one variant'],
    [{ 'Bad Name': variant('m', 1) }, 'variant names'],
    [{ a: variant('m', 0) }, 'weight above 0'],
    [{ a: { ...variant('m', 1), promptVersion: 'v9' } }, 'must be one of'],
    [{ a: { ...variant('m', 1), baseUrl: 'ftp://x' } }, ''],
    [{ a: { ...variant('m', 1), maxTokens: 4 } }, ''],
    [{ a: { ...variant('m', 1), unknownField: 1 } }, ''],
  ])('refuses %j', (input, message) => {
    const result = ModelVariants.safeParse(input);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });

  it('takes baseline arms (the catalog expander alone, or none) beside models, and nothing else without a model', () => {
    const variants = ModelVariants.parse({ control: { expander: 'catalog' }, none: { expander: 'seed-only', weight: 2 }, llm: variant('m', 1) });
    expect(variants.control).toEqual({ expander: 'catalog', weight: 1 });
    expect(variants.none).toEqual({ expander: 'seed-only', weight: 2 });
    expect(ModelVariants.safeParse({ a: { expander: 'llm' } }).success).toBe(false);
    expect(ModelVariants.safeParse({ a: { expander: 'catalog', model: 'm' } }).success).toBe(false);
  });

  it('assigns a user to the same variant every time, whatever order the variants were listed in', () => {
    const a = parse({ small: variant('1b', 1), large: variant('8b', 1) });
    const b = parse({ large: variant('8b', 1), small: variant('1b', 1) });
    for (let i = 0; i < 200; i++) {
      expect(assignVariant(a, 'exp', `user-${i}`)).toBe(assignVariant(b, 'exp', `user-${i}`));
    }
  });

  it('splits users by weight (within sampling error over 20 000 users)', () => {
    const variants = parse({ a: variant('1b', 1), b: variant('3b', 3), off: variant('70b', 0) });
    const counts: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) {
      const name = assignVariant(variants, 'weights', `u${i}`);
      counts[name] = (counts[name] ?? 0) + 1;
    }
    expect(counts.off).toBeUndefined();
    // Binomial(20000, 0.25): sd ≈ 61; ±4 sd.
    expect(Math.abs((counts.a ?? 0) - 5_000)).toBeLessThan(250);
    expect((counts.a ?? 0) + (counts.b ?? 0)).toBe(20_000);
  });

  it('reshuffles users when the experiment is renamed', () => {
    const variants = parse({ a: variant('1b', 1), b: variant('3b', 1) });
    let moved = 0;
    for (let i = 0; i < 1_000; i++) if (assignVariant(variants, 'exp-1', `u${i}`) !== assignVariant(variants, 'exp-2', `u${i}`)) moved++;
    expect(moved).toBeGreaterThan(400);
    expect(moved).toBeLessThan(600);
  });

  it('hashes into [0, 1) deterministically', () => {
    expect(stableUnitHash('e', 'u')).toBe(stableUnitHash('e', 'u'));
    expect(stableUnitHash('e', 'u')).not.toBe(stableUnitHash('e', 'v'));
    for (let i = 0; i < 1_000; i++) {
      const h = stableUnitHash('x', String(i));
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(1);
    }
  });
});
