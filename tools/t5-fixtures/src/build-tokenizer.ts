/** T5's special-token ids: pad 0, eos 1, unk 2 (the same in every released T5 checkpoint). */
export const PAD_ID = 0;
export const EOS_ID = 1;
export const UNK_ID = 2;
const SPECIAL_TOKENS = ['<pad>', '</s>', '<unk>'] as const;
const SPACE = '\u2581'; // "▁", SentencePiece's visible space

export interface BuiltTokenizer {
  /** Contents of tokenizer.json (Hugging Face `tokenizers` format). */
  readonly tokenizerJson: Record<string, unknown>;
  /** Contents of tokenizer_config.json. */
  readonly tokenizerConfig: Record<string, unknown>;
  /** Number of ids, specials included; becomes config.json `vocab_size`. */
  readonly vocabSize: number;
}

/**
 * The same normalisation the tokenizer.json normalizer performs (NFKC, whitespace runs to one
 * space, trimmed). Cased, like T5's own SentencePiece model: no lowercasing.
 */
export function normalizeForTokenizer(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/**
 * Builds a SentencePiece-Unigram tokenizer.json from the texts the model will see. Pieces are
 * the `maxPieces` most frequent whole words (with the `▁` word-start marker), plus the
 * letter/digit runs inside punctuated words ("(Harry" → "Harry"), plus every single character
 * seen, so no text made of those characters ever maps to `<unk>`. Scores are log relative
 * frequencies, so Viterbi prefers whole words over spelling them out. The layout mirrors
 * t5-base's tokenizer.json (Metaspace pre-tokenizer and decoder, `$A </s>` template) so the
 * encoder code that loads it also loads a real export; the 100 `<extra_id_N>` sentinels T5
 * uses for span corruption are left out because an encoder-only embedder never needs them.
 */
export function buildUnigramTokenizer(texts: Iterable<string>, maxPieces = 8000): BuiltTokenizer {
  const pieceCounts = new Map<string, number>();
  const charCounts = new Map<string, number>([[SPACE, 0]]);
  const bump = (map: Map<string, number>, key: string, by = 1): void => {
    map.set(key, (map.get(key) ?? 0) + by);
  };

  for (const text of texts) {
    // Characters are taken before whitespace folding too, so a character JavaScript's \s
    // treats as space but the tokenizer's regex does not is still in the vocabulary.
    for (const ch of text.normalize('NFKC')) if (!/\s/u.test(ch)) bump(charCounts, ch);
    const normalized = normalizeForTokenizer(text);
    if (normalized === '') continue;
    for (const word of normalized.split(' ')) {
      bump(charCounts, SPACE);
      bump(pieceCounts, SPACE + word);
      for (const run of word.matchAll(/[\p{L}\p{N}]+/gu)) {
        if (run[0] === word) continue;
        bump(pieceCounts, run.index === 0 ? SPACE + run[0] : run[0]);
      }
    }
  }

  // Ties broken by code-unit order, never by locale, so every machine builds the same vocabulary.
  const byCount = (a: [string, number], b: [string, number]): number => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  const pieces = [...pieceCounts].filter(([piece]) => Array.from(piece).length > 1).sort(byCount).slice(0, maxPieces);
  const chars = [...charCounts].map(([ch, n]): [string, number] => [ch, Math.max(n, 1)]);
  const total = [...pieces, ...chars].reduce((sum, [, n]) => sum + n, 0);
  const scored = [...pieces, ...chars]
    .sort(byCount)
    .map(([piece, n]): [string, number] => [piece, Math.log(n / total)]);

  const vocab: [string, number][] = [...SPECIAL_TOKENS.map((t): [string, number] => [t, 0]), ...scored];
  const metaspace = { type: 'Metaspace', replacement: SPACE, prepend_scheme: 'always', split: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFKC' },
        { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
        { type: 'Strip', strip_left: true, strip_right: true },
      ],
    },
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [
        { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      special_tokens: { '</s>': { id: '</s>', ids: [EOS_ID], tokens: ['</s>'] } },
    },
    decoder: metaspace,
    model: { type: 'Unigram', unk_id: UNK_ID, vocab, byte_fallback: false },
  };
  const tokenizerConfig = {
    tokenizer_class: 'T5Tokenizer',
    model_max_length: 512,
    eos_token: '</s>',
    pad_token: '<pad>',
    unk_token: '<unk>',
    extra_ids: 0,
    additional_special_tokens: [],
    clean_up_tokenization_spaces: false,
  };
  return { tokenizerJson, tokenizerConfig, vocabSize: vocab.length };
}
