// Strategy 2: numbered and bulleted lists, with the explanation after each name dropped.

import { type Candidate, lastNonBlank, wordCount } from './candidate.js';

// `1. x`, `1) x`, `- x`, `* x`, `• x`, also as a heading (`### 1. x`) or in bold (`**1. x**`).
export const LIST_ITEM = /^(\s*)(?:#{1,6}\s*)?(\*\*)?(?:(\d{1,3})[.)]|([-*•+–]))\s+(.*)$/;

const INLINE_LIST = /(?:^|\s)1[.)]\s.*\s2[.)]\s.*\s3[.)]\s/;

interface Run {
  numbered: boolean;
  indent: number;
  lastNumber: number;
  items: { text: string; line: number }[];
}

export function* listCandidates(text: string): Generator<Candidate> {
  // "1. a 2. b 3. c" on one line is the same list.
  const lines = text.split('\n').flatMap((line) => (INLINE_LIST.test(line) ? line.split(/\s+(?=\d{1,2}[.)]\s)/) : [line]));
  const lastContentLine = lastNonBlank(lines);
  const runs: Run[] = [];
  let run: Run | undefined;
  lines.forEach((line, index) => {
    const m = LIST_ITEM.exec(line);
    const indent = /^\s*/.exec(line)?.[0].length ?? 0;
    if (m === null) {
      // Prose between numbered items is their explanation; prose after bullets ends the list.
      if (run !== undefined && !run.numbered && line.trim() !== '' && indent <= run.indent) run = undefined;
      return;
    }
    const numbered = m[3] !== undefined;
    const number = Number(m[3] ?? 0);
    if (run !== undefined && indent > run.indent + 1) return; // a sub-item explaining its parent
    const continues =
      run !== undefined && run.numbered === numbered && Math.abs(indent - run.indent) <= 1 && (!numbered || number === run.lastNumber + 1);
    if (!continues) {
      run = { numbered, indent, lastNumber: number, items: [] };
      runs.push(run);
    }
    if (run === undefined) return;
    run.lastNumber = number;
    // `**1. Space Opera**: …` keeps its bold, which marks where the name ends.
    run.items.push({ text: `${m[2] ?? ''}${m[5] ?? ''}`, line: index });
  });
  for (const r of runs) {
    const named = r.items.map((item) => splitExplanation(item.text));
    const last = r.items.at(-1);
    const lastNamed = named.at(-1);
    yield {
      entries: named.map((n) => n.name),
      lastMayBeCut: last !== undefined && last.line === lastContentLine && lastNamed?.explained !== true,
    };
  }
}

/**
 * `**Space Opera** - epic adventures…` → "Space Opera". `explained` tells that the name was
 * followed by more text, so it is complete even if the output was cut afterwards.
 */
function splitExplanation(item: string): { name: string; explained: boolean } {
  const text = item.trim();
  const wrapped = /^(\*\*|__|"|“|`)(.+?)(\*\*|__|"|”|`)\s*(.*)$/.exec(text);
  if (wrapped !== null && (wrapped[4] ?? '') !== '') {
    return { name: wrapped[2] ?? '', explained: true };
  }
  const name = nameBeforeExplanation(text);
  if (name !== undefined) return { name, explained: true };
  const parenthesised = /^(.+?)\s*\([^)]*\)?$/.exec(text);
  if (parenthesised !== null) return { name: parenthesised[1] ?? '', explained: true };
  return { name: text, explained: false };
}

/**
 * "Space Opera - epic adventures across galaxies" → "Space Opera". The tail must read like a
 * phrase (3+ words) so that "Star Wars: Expanded Universe" stays one topic.
 */
export function nameBeforeExplanation(text: string): string | undefined {
  const m = /^(.+?)(?:\s[-–—]\s|:\s)(.*)$/.exec(text);
  return m !== null && wordCount(m[2] ?? '') >= 3 ? m[1] : undefined;
}
