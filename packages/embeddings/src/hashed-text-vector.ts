import { createHash } from 'node:crypto';

/**
 * A unit vector of `dimension` made from the text's own characters, for an item whose text the
 * configured encoder cannot embed (a title in a script its vocabulary lacks, or only numbers and
 * symbols): each character trigram of the NFKC-folded, lower-cased text adds ±1 to one
 * coordinate chosen by its hash (feature hashing). Deterministic, so every process and every
 * retry gives the same vector; texts sharing trigrams point the same way. It makes the item
 * searchable and rankable by behaviour; its content neighbours are only as good as trigrams.
 */
export function hashedTextVector(text: string, dimension: number): Float32Array {
  const vector = new Float32Array(dimension);
  const chars = [...` ${text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()} `];
  for (let i = 0; i + 3 <= Math.max(chars.length, 3); i++) {
    const digest = createHash('sha256').update(chars.slice(i, i + 3).join('')).digest();
    const coordinate = digest.readUInt32LE(0) % dimension;
    vector[coordinate] = (vector[coordinate] as number) + ((digest[4] as number) & 1 ? 1 : -1);
  }
  let norm = Math.hypot(...vector);
  // Every trigram cancelled out (or none): fall back to the first coordinate, still a unit vector.
  if (norm === 0) {
    vector[0] = 1;
    norm = 1;
  }
  return vector.map((x) => x / norm);
}
