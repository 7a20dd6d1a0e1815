// A token here is a run of letters or digits, or one other non-space character. That is close to
// what BPE tokenizers make of short JSON lists (`"`, `,` and `[` mostly cost a token each), where
// 1 token per 4 characters would fit a list of five short topics into 16 tokens: the published
// notebook's max_tokens 16 truncated every answer, and so must this server.
const PIECE = /[\p{L}\p{N}]+|[^\p{L}\p{N}\s]/gu;

export function estimateTokens(text: string): number {
  let count = 0;
  for (const _ of text.matchAll(PIECE)) count++;
  return count;
}

/** The text up to the end of its `maxTokens`-th token; whole when it has no more than that. */
export function truncateToTokens(text: string, maxTokens: number): string {
  let count = 0;
  for (const match of text.matchAll(PIECE)) {
    if (++count === maxTokens) return text.slice(0, match.index + match[0].length);
  }
  return maxTokens <= 0 ? '' : text;
}
