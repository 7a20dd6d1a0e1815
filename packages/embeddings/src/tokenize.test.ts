import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize.js';

describe('tokenize', () => {
  it('lowercases and drops stop-words and punctuation', () => {
    expect(tokenize('The Science of SPACE, and time!')).toEqual(['science', 'space', 'time']);
  });

  it('keeps repeats, since repetition is signal', () => {
    expect(tokenize('war and war')).toEqual(['war', 'war']);
  });

  it('splits hyphens and slashes', () => {
    expect(tokenize('science-fiction/fantasy')).toEqual(['science', 'fiction', 'fantasy']);
  });

  it('strips possessives and drops contractions, with straight or curly apostrophes', () => {
    expect(tokenize("Tolkien's world")).toEqual(['tolkien', 'world']);
    expect(tokenize('Tolkien\u2019s world')).toEqual(['tolkien', 'world']);
    expect(tokenize("the dogs' bones")).toEqual(['dogs', 'bones']);
    expect(tokenize("don't you're we've")).toEqual([]);
    expect(tokenize("rock'n'roll")).toEqual(['rock', 'n', 'roll']);
  });

  it('folds accents and compatibility forms to the ASCII vocabulary', () => {
    expect(tokenize('Pokémon Café naïve ﬁction ＳＰＡＣＥ')).toEqual(['pokemon', 'cafe', 'naive', 'fiction', 'space']);
  });

  it('passes other scripts through and skips absurdly long runs', () => {
    expect(tokenize('Война и мир')).toEqual(['воина', 'и', 'мир']);
    expect(tokenize(`${'x'.repeat(65)} space`)).toEqual(['space']);
  });

  it('survives lone surrogates, emoji and control characters', () => {
    expect(tokenize('\uD800space\uDFFF 🚀 \u0000 \u202Eplanet')).toEqual(['space', 'planet']);
  });
});
