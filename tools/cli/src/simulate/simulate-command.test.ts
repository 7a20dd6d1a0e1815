import { describe, expect, it } from 'vitest';
import { simulatedVariants } from './simulate-command.js';

describe('simulate --variants', () => {
  it('runs catalog and seed-only as baseline arms, and other names as the LLM_VARIANTS entries they name, at equal weights', () => {
    const env = { LLM_VARIANTS: JSON.stringify({ small: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'llama-3.2-3b', weight: 5 } }) };
    expect(simulatedVariants(['catalog', 'seed-only', 'small'], env)).toEqual({
      catalog: { expander: 'catalog', weight: 1 },
      'seed-only': { expander: 'seed-only', weight: 1 },
      small: expect.objectContaining({ baseUrl: 'http://127.0.0.1:8000/v1', model: 'llama-3.2-3b', weight: 1 }),
    });
  });

  it('refuses a name that is neither, naming what it knows', () => {
    expect(() => simulatedVariants(['catalog', 'large'], {})).toThrow(/unknown variant "large": use catalog, seed-only or an entry of LLM_VARIANTS \(unset\)/);
  });
});
