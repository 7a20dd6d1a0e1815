/** What every strategy shares: the settings it reads, the candidate it yields, line helpers. */

/** The options of one parseTopics call with their defaults filled in. */
export interface Settings {
  minTopics: number;
  maxTopics: number;
  maxTopicChars: number;
  truncated: boolean;
}

/** What one strategy pulled out of the text, before cleaning. */
export interface Candidate {
  entries: unknown[];
  /** The last entry runs into the end of the output, so a token limit may have cut it. */
  lastMayBeCut: boolean;
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w !== '').length;
}

export function lastNonBlank(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if ((lines[i] ?? '').trim() !== '') return i;
  return -1;
}
