/**
 * A text encoder. `id` is stored next to every vector it produces, so vectors from
 * different encoders (or different versions of one) are never compared with each other.
 */
export interface Encoder {
  readonly id: string;
  readonly dimension: number;
  /**
   * Resolves to one L2-normalised vector per text, in input order. Rejects with
   * `EmptyTextError` if any text has no usable word; callers wanting per-text outcomes
   * encode texts one at a time.
   */
  encode(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

const MAX_QUOTED_TEXT = 80;

/**
 * The text has no word the encoder knows (empty, only stop-words, punctuation or
 * out-of-vocabulary words). Retrying cannot help, so queue consumers should treat it as
 * permanent rather than redeliver.
 */
export class EmptyTextError extends Error {
  override readonly name = 'EmptyTextError';
  /** The offending text, truncated so a huge input cannot bloat logs. */
  readonly text: string;

  constructor(text: string) {
    const quoted = truncate(text, MAX_QUOTED_TEXT);
    super(`text has no known word to encode: ${JSON.stringify(quoted)}`);
    this.text = quoted;
  }
}

function truncate(text: string, max: number): string {
  // Array.from splits by code point so truncation never leaves half a surrogate pair.
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
}
