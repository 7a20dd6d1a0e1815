import { Tokenizer } from '@huggingface/tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildUnigramTokenizer, EOS_ID, normalizeForTokenizer, PAD_ID, UNK_ID } from './build-tokenizer.js';
import { catalogTexts } from './catalog-texts.js';

let texts: string[];
let tokenizer: Tokenizer;
let vocabSize: number;

beforeAll(async () => {
  texts = await catalogTexts();
  const built = buildUnigramTokenizer(texts);
  // Round-trip through JSON text, as the encoder reads it from disk.
  tokenizer = new Tokenizer(JSON.parse(JSON.stringify(built.tokenizerJson)), JSON.parse(JSON.stringify(built.tokenizerConfig)));
  vocabSize = built.vocabSize;
}, 30_000);

describe('fixture Unigram tokenizer under @huggingface/tokenizers', () => {
  it('has T5 special ids', () => {
    expect(tokenizer.token_to_id('<pad>')).toBe(PAD_ID);
    expect(tokenizer.token_to_id('</s>')).toBe(EOS_ID);
    expect(tokenizer.token_to_id('<unk>')).toBe(UNK_ID);
    expect(vocabSize).toBeGreaterThan(3000);
  });

  it('encodes every catalog text without <unk>, appends </s>, and decodes back to the normalised text', () => {
    expect(texts.length).toBeGreaterThan(1000);
    let tokens = 0;
    for (const text of texts) {
      const { ids } = tokenizer.encode(text);
      expect(ids.at(-1), text).toBe(EOS_ID);
      expect(ids.slice(0, -1), text).not.toContain(UNK_ID);
      expect(ids.slice(0, -1), text).not.toContain(EOS_ID);
      expect(ids.every((id: number) => id >= 0 && id < vocabSize)).toBe(true);
      expect(tokenizer.decode(ids, { skip_special_tokens: true }), text).toBe(normalizeForTokenizer(text));
      tokens += ids.length;
    }
    // Whole-word pieces keep catalog texts short (≈ a token per word).
    expect(tokens / texts.length).toBeLessThan(80);
  });

  it('keeps frequent words whole and spells out the rest', () => {
    // A catalog text as the embed pool encodes it (itemEmbeddingText).
    expect(tokenizer.tokenize('The Kite Runner. by Khaled Hosseini. fiction, historical-fiction')).toEqual(
      ['▁The', '▁Kite', '▁Runner.', '▁by', '▁Khaled', '▁Hosseini.', '▁fiction,', '▁historical-fiction'],
    );
    const spelled = tokenizer.encode('Zyxwvq').tokens;
    expect(spelled.length).toBeGreaterThan(3);
    expect(spelled.join('')).toBe('▁Zyxwvq</s>');
  });

  it('is cased, folds compatibility forms (NFKC) and collapses whitespace', () => {
    expect(tokenizer.encode('kite').ids).not.toEqual(tokenizer.encode('Kite').ids);
    expect(tokenizer.encode('  The \t\n Kite ').ids).toEqual(tokenizer.encode('The Kite').ids);
    expect(tokenizer.encode('ﬁction').ids).toEqual(tokenizer.encode('fiction').ids);
  });

  it('maps characters never seen in the catalog to <unk>', () => {
    expect(tokenizer.encode('Kite ☃').ids).toContain(UNK_ID);
  });
});
