/**
 * English function words. They carry little topic signal but are so frequent that they
 * would dominate an average; SIF weighting already shrinks them, and dropping them outright
 * also makes "the science of space" and "science space" encode identically. Roughly NLTK's
 * list, plus contractions because the tokeniser keeps apostrophes inside words.
 * Changing this list changes vectors: bump the encoder id when it does.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'about', 'above', 'after', 'again', 'against', 'all', 'also', 'am', 'an', 'and', 'any',
  'are', 'as', 'at', 'be', 'because', 'been', 'before', 'being', 'below', 'between', 'both',
  'but', 'by', 'can', 'cannot', 'could', 'did', 'do', 'does', 'doing', 'down', 'during', 'each',
  'few', 'for', 'from', 'further', 'had', 'has', 'have', 'having', 'he', 'her', 'here', 'hers',
  'herself', 'him', 'himself', 'his', 'how', 'i', 'if', 'in', 'into', 'is', 'it', 'its',
  'itself', 'just', 'may', 'me', 'might', 'more', 'most', 'must', 'my', 'myself', 'no', 'nor',
  'not', 'now', 'of', 'off', 'on', 'once', 'only', 'or', 'other', 'our', 'ours', 'ourselves',
  'out', 'over', 'own', 'same', 'shall', 'she', 'should', 'so', 'some', 'such', 'than', 'that',
  'the', 'their', 'theirs', 'them', 'themselves', 'then', 'there', 'these', 'they', 'this',
  'those', 'through', 'to', 'too', 'under', 'until', 'up', 'upon', 'us', 'very', 'was', 'we',
  'were', 'what', 'when', 'where', 'which', 'while', 'who', 'whom', 'whose', 'why', 'will',
  'with', 'would', 'you', 'your', 'yours', 'yourself', 'yourselves',
  // Contractions, and the fragments left when an unlisted one is split at its apostrophe.
  "i'm", "i've", "i'll", "i'd", "you're", "you've", "you'll", "you'd", "he'll", "he'd",
  "she'll", "she'd", "we're", "we've", "we'll", "we'd", "they're", "they've", "they'll",
  "they'd", "let's", "isn't", "aren't", "wasn't", "weren't", "hasn't", "haven't", "hadn't",
  "doesn't", "don't", "didn't", "won't", "wouldn't", "can't", "couldn't", "shouldn't",
  "mustn't", "shan't", "ain't", 's', 't', 'd', 'll', 'm', 're', 've',
]);

// Letters and digits, with apostrophes allowed only inside a word, so
// hyphens, slashes and other punctuation split words ("science-fiction" -> two words).
const WORD = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;
const APOSTROPHES = /[\u2019\u02bc\u2018\u0060\u00b4]/g;
const MARKS = /\p{M}+/gu;
// The vocabulary's longest word is 42 characters; longer runs (hashes, URLs, base64) are
// certainly out of vocabulary and only cost hashing time.
const MAX_WORD_LENGTH = 64;

/**
 * Splits text into lowercase content words in order, duplicates kept (repetition is signal).
 * The vocabulary is ASCII, so compatibility decomposition plus dropping combining marks
 * maps "Pokémon" to "pokemon" and full-width or ligature forms to plain letters; other
 * scripts pass through and simply miss in the lookup.
 */
export function tokenize(text: string): string[] {
  const folded = text.normalize('NFKD').replace(MARKS, '').toLowerCase().replace(APOSTROPHES, "'");
  const out: string[] = [];
  for (const match of folded.matchAll(WORD)) {
    let word = match[0];
    if (word.length > MAX_WORD_LENGTH || STOP_WORDS.has(word)) continue;
    if (!word.includes("'")) {
      out.push(word);
      continue;
    }
    // Possessive ("tolkien's" -> "tolkien"); the vocabulary has no apostrophe words, so
    // other contractions fall apart into pieces that are stop-words or ordinary words.
    if (word.endsWith("'s")) word = word.slice(0, -2);
    for (const part of word.split("'")) {
      if (part.length > 0 && !STOP_WORDS.has(part)) out.push(part);
    }
  }
  return out;
}
