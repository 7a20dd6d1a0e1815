// Strategies 3 to 6, for answers without JSON or list markers: "Topics: a, b, c" and bare
// comma-separated lines, markdown tables, [a, b, c] with unquoted items, one topic per line.

import { LIST_ITEM } from './list-candidates.js';
import { type Candidate, lastNonBlank, type Settings, wordCount } from './candidate.js';

const MAX_TOPIC_WORDS = 6;

// Words that mark a clause of a sentence rather than a topic ("Sure, here you go").
const PROSE_WORDS = new Set(
  "i i'm i'd me my you your you'd you're we here sure sorry can can't cannot could would should might these this is are was were hope please let based if enjoy suggest recommend help".split(' '),
);

export function* commaLineCandidates(text: string): Generator<Candidate> {
  const lines = text.split('\n');
  const lastContentLine = lastNonBlank(lines);
  for (const [index, line] of lines.entries()) {
    if (/[[\]{}]/.test(line) || LIST_ITEM.test(line)) continue;
    const labelled = /^\s*[*_]{0,2}([^:,]{1,40}?)[*_]{0,2}:[*_]{0,2}\s*(.+)$/.exec(line);
    const label = labelled?.[1];
    const body = label !== undefined && wordCount(label) <= 5 ? (labelled?.[2] ?? '') : line;
    if (/[:?!]\s*$/.test(body) || !body.includes(',')) continue;
    const parts = body
      .replace(/\.\s*$/, '')
      .split(',')
      .map((p) => p.trim().replace(/^(?:and|or)\s+/i, ''))
      .filter((p) => !/^etc\.?$/i.test(p));
    if (parts.some((p) => !looksLikeTopic(p))) continue;
    yield { entries: parts, lastMayBeCut: index === lastContentLine };
  }
}

function looksLikeTopic(text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter((w) => w !== '');
  return words.length > 0 && words.length <= MAX_TOPIC_WORDS && !words.some((w) => PROSE_WORDS.has(w.replace(/[^\p{L}']/gu, '')));
}

// --- markdown tables: the first column of the body rows --------------------------------------

export function* tableCandidates(text: string): Generator<Candidate> {
  const lines = text.split('\n').map((line) => line.trim());
  for (const [index, line] of lines.entries()) {
    // The separator row (|---|:--|) follows the header, which is not a topic.
    if (!/^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$/.test(line) || !(lines[index - 1] ?? '').includes('|')) continue;
    const rows: string[] = [];
    for (const row of lines.slice(index + 1)) {
      if (!row.includes('|')) break;
      rows.push(row.replace(/^\|/, '').split('|')[0] ?? '');
    }
    if (rows.length > 0) yield { entries: rows, lastMayBeCut: index + rows.length === lastNonBlank(lines) };
  }
}

// --- [a, b, c] with unquoted items --------------------------------------------------------------

export function looseArrayCandidate(text: string): Candidate | undefined {
  // Not followed by "(": that is a markdown link, not a list.
  const m = /\[([^[\]{}]{1,1000})\](?!\()/.exec(text);
  if (m === null || !(m[1] ?? '').includes(',')) return undefined;
  // Literals stay non-strings here too: `[null, None, 3]` holds no topics.
  const entries = (m[1] ?? '').split(',').map((p) => (/^(?:null|none|true|false|-?\d+(?:\.\d+)?)$/i.test(p.trim()) ? null : p.trim()));
  return { entries, lastMayBeCut: false };
}

// --- one topic per line, no markers -----------------------------------------------------------

export function* plainLineCandidates(text: string, settings: Settings): Generator<Candidate> {
  const lines = text.split('\n');
  const lastContentLine = lastNonBlank(lines);
  let run: string[] = [];
  let runEnd = -1;
  const isTopicLine = (line: string) =>
    /^["'“`\p{L}\p{N}]/u.test(line) && !/[:.!?,]$/.test(line) && [...line].length <= settings.maxTopicChars && looksLikeTopic(line);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (isTopicLine(line)) {
      run.push(line);
      runEnd = index;
      continue;
    }
    if (run.length >= 2) yield { entries: run, lastMayBeCut: runEnd === lastContentLine };
    run = [];
  }
  if (run.length >= 2) yield { entries: run, lastMayBeCut: runEnd === lastContentLine };
}
