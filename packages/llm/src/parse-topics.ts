/**
 * Defensive parsing of an LLM's "related topics" answer. Small instruction models asked for a
 * JSON list answer with fences, prose, numbered lists, Python literals, reasoning blocks and
 * template tokens, and get cut off by max_tokens; the expander must get the topics out of all
 * of these or refuse with a reason specific enough to drive a repair prompt.
 */

export interface ParseTopicsOptions {
  minTopics?: number;
  maxTopics?: number;
  /** Longer entries are dropped: they are sentences, not topics. */
  maxTopicChars?: number;
  /** The server said finish_reason "length": the last, unfinished item is dropped. */
  truncated?: boolean;
}

export type ParsedTopics =
  | { ok: true; topics: string[] }
  /** `topics` holds the valid ones found (fewer than minTopics), for a repair prompt and logs. */
  | { ok: false; error: string; topics: string[] };

interface Settings {
  minTopics: number;
  maxTopics: number;
  maxTopicChars: number;
  truncated: boolean;
}

/** What one strategy pulled out of the text, before cleaning. */
interface Candidate {
  entries: unknown[];
  /** The last entry runs into the end of the output, so a token limit may have cut it. */
  lastMayBeCut: boolean;
}

type DropReason = 'null or non-string' | 'empty' | 'too long' | 'duplicate' | 'cut off';

interface Cleaned {
  topics: string[];
  dropped: Map<DropReason, number>;
}

// Model output worth parsing is a few hundred characters; the cap bounds the work a runaway
// generation (or a hostile one) can cause, since several strategies rescan the text.
const MAX_INPUT_CHARS = 20_000;
// Each failed attempt rescans from the next bracket; prose full of brackets must not go quadratic.
const MAX_JSON_ATTEMPTS = 20;
// A JSON string holding JSON holding JSON… is decoded this many levels at most.
const MAX_DECODE_DEPTH = 3;
const MAX_TOPIC_WORDS = 6;

export function parseTopics(raw: string, options: ParseTopicsOptions = {}): ParsedTopics {
  const settings: Settings = {
    minTopics: options.minTopics ?? 3,
    maxTopics: options.maxTopics ?? 5,
    maxTopicChars: options.maxTopicChars ?? 60,
    truncated: options.truncated ?? false,
  };
  // Callers pass whatever a server sent; JavaScript callers are not held to the type.
  const { text, emptyReason } = normalise(typeof raw === 'string' ? raw : '');
  if (emptyReason !== undefined) return { ok: false, error: emptyReason, topics: [] };

  let best: Cleaned | undefined;
  for (const candidate of candidates(text, settings, 0)) {
    const cleaned = clean(candidate, settings);
    if (cleaned.topics.length >= settings.minTopics) {
      return { ok: true, topics: cleaned.topics.slice(0, settings.maxTopics) };
    }
    if (best === undefined || cleaned.topics.length > best.topics.length) best = cleaned;
  }
  if (best === undefined) return { ok: false, error: 'no list of topics found in the output', topics: [] };
  const dropped = describeDropped(best.dropped, settings);
  if (best.topics.length === 0) {
    return { ok: false, error: `the list holds no valid topics${dropped}`, topics: [] };
  }
  const shown = best.topics.map((t) => JSON.stringify(t)).join(', ');
  return {
    ok: false,
    error: `only ${best.topics.length} valid topic${best.topics.length === 1 ? '' : 's'} (need ${settings.minTopics}): ${shown}${dropped}`,
    topics: best.topics,
  };
}

function describeDropped(dropped: Map<DropReason, number>, settings: Settings): string {
  if (dropped.size === 0) return '';
  const parts = [...dropped].map(([reason, n]) =>
    `${n} ${reason === 'too long' ? `over ${settings.maxTopicChars} characters` : reason}`,
  );
  return ` (dropped ${parts.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// Normalisation: reasoning blocks and chat-template tokens are not part of the answer.

const TURN_END = /<\|(?:eot_id|im_end|end|endoftext|end_of_text|eom_id)\|>|<\/s>/;
const ROLE_HEADER = /<\|start_header_id\|>[^<]{0,40}<\|end_header_id\|>|<\|im_start\|>[a-z]{0,20}/gi;
const TEMPLATE_TOKEN = /<\|[a-z_]{1,40}\|>|<\/?s>|\[\/?INST\]|<<\/?SYS>>/gi;

function normalise(raw: string): { text: string; emptyReason?: string } {
  // CRLF answers: `.` and `$` in the line patterns stop at a lone \r, so "1. a\r" would not be a list item.
  let text = raw.slice(0, MAX_INPUT_CHARS).replace(/\r\n?/g, '\n').replace(ROLE_HEADER, '\n');
  // Small models run on past their end-of-turn token into an invented next turn; only the
  // first turn with content is theirs.
  for (;;) {
    const end = TURN_END.exec(text);
    if (end === null) break;
    const before = text.slice(0, end.index);
    if (before.replace(TEMPLATE_TOKEN, '').trim() !== '') {
      text = before;
      break;
    }
    text = text.slice(end.index + end[0].length);
  }
  text = text.replace(TEMPLATE_TOKEN, '');
  // Some small models print the escape instead of the line break; in a double-encoded answer
  // (with \" escapes) it is a real escape and stays.
  if (!text.includes('\n') && !text.includes('\\"')) text = text.replaceAll('\\n', '\n');

  // DeepSeek-R1 templates put the opening <think> in the prompt, so the output may hold only the
  // closing tag: everything before the last one is reasoning either way.
  const close = text.lastIndexOf('</think>');
  if (close !== -1) {
    text = text.slice(close + '</think>'.length);
    if (text.trim() === '') return { text, emptyReason: 'the output has a <think> block and no answer after it' };
  } else {
    const open = text.indexOf('<think>');
    if (open !== -1) {
      text = text.slice(0, open);
      if (text.trim() === '') return { text, emptyReason: 'the output ended inside a <think> block, before any answer' };
    }
  }
  if (text.trim() === '') return { text, emptyReason: 'output is empty' };
  return { text };
}

// ---------------------------------------------------------------------------------------------
// Strategies, most reliable first: the first one yielding enough valid topics wins.

function* candidates(text: string, settings: Settings, depth: number): Generator<Candidate> {
  const fromJson = jsonCandidate(text, settings, depth);
  if (fromJson !== undefined) yield fromJson;
  yield* listCandidates(text);
  yield* commaLineCandidates(text);
  yield* tableCandidates(text);
  const loose = looseArrayCandidate(text);
  if (loose !== undefined) yield loose;
  yield* plainLineCandidates(text, settings);
}

// --- JSON anywhere in the text -----------------------------------------------------------------

function jsonCandidate(text: string, settings: Settings, depth: number): Candidate | undefined {
  const encoded = doubleEncodedCandidate(text, settings, depth);
  if (encoded !== undefined) return encoded;
  // An empty list is the answer only if nothing better turns up.
  let empty: Candidate | undefined;
  let from = 0;
  for (let attempt = 0; attempt < MAX_JSON_ATTEMPTS; attempt++) {
    const start = indexOfOpener(text, from);
    if (start === -1) break;
    from = start + 1;
    const value = parseValues(text, start);
    if (value === undefined) continue;
    const entries = entriesFrom(value, settings, depth);
    if (entries !== undefined && entries.length > 0) return { entries, lastMayBeCut: false };
    if (entries !== undefined) empty ??= { entries, lastMayBeCut: false };
  }
  return empty;
}

/**
 * The JSON value at `start`; several objects in a row (one per line, as some models write
 * "JSON lines") become one array.
 */
function parseValues(text: string, start: number): unknown {
  const first = scanJson(text, start);
  const value = first === undefined ? undefined : tryParse(first.json);
  if (first === undefined || !isObject(value)) return value;
  const values: unknown[] = [value];
  let end = first.end;
  for (let next = /^[\s,]*\{/.exec(text.slice(end, end + 100)); next !== null; next = /^[\s,]*\{/.exec(text.slice(end, end + 100))) {
    const scan = scanJson(text, end + next[0].length - 1);
    const more = scan === undefined ? undefined : tryParse(scan.json);
    if (scan === undefined || !isObject(more)) break;
    values.push(more);
    end = scan.end;
  }
  return values.length > 1 ? values : value;
}

function indexOfOpener(text: string, from: number): number {
  const square = text.indexOf('[', from);
  const curly = text.indexOf('{', from);
  if (square === -1) return curly;
  if (curly === -1) return square;
  return Math.min(square, curly);
}

function tryParse(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON string literal whose content is itself JSON: `"[\"a\", \"b\"]"`. */
function doubleEncodedCandidate(text: string, settings: Settings, depth: number): Candidate | undefined {
  if (depth >= MAX_DECODE_DEPTH) return undefined;
  const match = /"\s*[[{]/.exec(text);
  if (match === null) return undefined;
  const end = endOfDoubleQuoted(text, match.index + 1);
  if (end === -1) return undefined;
  const decoded = tryParse(text.slice(match.index, end + 1));
  if (typeof decoded !== 'string') return undefined;
  return jsonCandidate(decoded, settings, depth + 1);
}

/** Index of the quote closing a double-quoted string whose content starts at `from`, or -1. */
function endOfDoubleQuoted(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/**
 * Copies the bracketed value starting at `start` while repairing what models get wrong about
 * JSON (single quotes, smart quotes, trailing commas, comments, Python literals), and closes it
 * after its last complete item if the output ends inside it. Undefined when brackets mismatch.
 */
function scanJson(text: string, start: number): { json: string; end: number } | undefined {
  let closers: Closers;
  let out = '';
  // Where the output could be cut so that only complete items remain.
  let afterItem: { length: number; closers: Closers } | undefined;
  let afterString: { length: number; closers: Closers } | undefined;
  let i = start;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '[' || ch === '{') {
      closers = { closer: ch === '[' ? ']' : '}', outer: closers };
      out += ch;
      i++;
    } else if (ch === ']' || ch === '}') {
      if (closers?.closer !== ch) return undefined;
      closers = closers.outer;
      const trimmed = out.trimEnd();
      out = (trimmed.endsWith(',') ? trimmed.slice(0, -1) : trimmed) + ch;
      i++;
      if (closers === undefined) return { json: out, end: i };
      afterString = undefined;
    } else if (ch === ',') {
      afterItem = { length: out.length, closers };
      afterString = undefined;
      out += ch;
      i++;
    } else if (ch === '"' || ch === '“' || ch === '”' || (ch === "'" && atValueStart(out))) {
      const string = readString(text, i);
      if (string === undefined) break;
      out += string.json;
      i = string.end;
      afterString = closers?.closer === ']' ? { length: out.length, closers } : undefined;
    } else if (ch === '/' && text[i + 1] === '/') {
      const newline = text.indexOf('\n', i);
      i = newline === -1 ? text.length : newline;
    } else if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else if (/[A-Za-z]/.test(ch)) {
      const word = /^[A-Za-z_]+/.exec(text.slice(i, i + 40))?.[0] ?? ch;
      out += PYTHON_LITERALS[word] ?? word;
      i += word.length;
      afterString = undefined;
    } else {
      out += ch;
      i++;
      if (!/\s/.test(ch)) afterString = undefined;
    }
  }
  // The output ended inside the value: keep what was complete.
  const cut = afterString ?? afterItem;
  if (cut === undefined) return undefined;
  let json = out.slice(0, cut.length);
  for (let open = cut.closers; open !== undefined; open = open.outer) json += open.closer;
  return { json, end: text.length };
}

/** The brackets open at a point of the scan, innermost first; shared, so a snapshot costs nothing. */
type Closers = { closer: string; outer: Closers } | undefined;

const PYTHON_LITERALS: Record<string, string> = { None: 'null', True: 'true', False: 'false' };

function atValueStart(out: string): boolean {
  const last = out.trimEnd().at(-1);
  return last === '[' || last === '{' || last === ',' || last === ':';
}

/** Reads a quoted string at `start` and returns it as a JSON string literal; undefined if unterminated. */
function readString(text: string, start: number): { json: string; end: number } | undefined {
  const open = text[start];
  if (open === '"') {
    const close = endOfDoubleQuoted(text, start + 1);
    if (close === -1) return undefined;
    // Raw newlines, tabs and other C0 controls are invalid inside JSON strings; cleanTopic
    // removes them from the topic anyway, so they must not make the whole list unparseable.
    const json = text.slice(start, close + 1).replace(/[\u0000-\u001f]/g, ' ');
    return { json, end: close + 1 };
  }
  if (open === "'") {
    // An apostrophe inside the string ("children's") is not followed by a delimiter.
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === "'" && /^\s*(?:[,\]}:]|$)/.test(text.slice(i + 1, i + 20))) {
        return { json: JSON.stringify(text.slice(start + 1, i).replace(/\\'/g, "'")), end: i + 1 };
      }
    }
    return undefined;
  }
  const close = /[”"]/.exec(text.slice(start + 1));
  if (close === null) return undefined;
  return { json: JSON.stringify(text.slice(start + 1, start + 1 + close.index)), end: start + 2 + close.index };
}

const TOPIC_KEY = /topic|keyword|genre|suggest|subject|theme|tag|categor|interest|recommend/i;
const ITEM_FIELD = /^(?:topic|name|title|keyword|genre|subject|theme|label|tag)s?$/i;
const NUMBERED_KEY = /^(?:topic|keyword|item|suggestion|genre|subject|theme)?[\s_-]*\d+$/i;

/** The topic entries of a parsed JSON value, or undefined when it has no list-like shape. */
function entriesFrom(value: unknown, settings: Settings, depth: number): unknown[] | undefined {
  if (typeof value === 'string') {
    if (depth >= MAX_DECODE_DEPTH) return undefined;
    const nested = jsonCandidate(value, settings, depth + 1) ?? [...commaLineCandidates(value)][0];
    return nested?.entries;
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => (isObject(item) ? fieldOf(item) : item));
  }
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value);
  const lists = entries.filter(([, v]) => Array.isArray(v));
  if (lists.length > 0) {
    const chosen = lists.find(([k]) => TOPIC_KEY.test(k)) ?? lists[0];
    return chosen === undefined ? undefined : entriesFrom(chosen[1], settings, depth);
  }
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only !== undefined) return entriesFrom(only[1], settings, depth);
  if (entries.length > 1 && entries.every(([, v]) => typeof v === 'string')) {
    // {"topic1": "a", "topic2": "b"} lists topics as values; {"Space Opera": "Epic adventures
    // across galaxies", ...} lists them as keys with an explanation each.
    const numbered = entries.every(([k]) => NUMBERED_KEY.test(k.trim()));
    const explained = entries.every(([, v]) => wordCount(v as string) >= 4);
    return !numbered && explained ? entries.map(([k]) => k) : entries.map(([, v]) => v);
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{"topic": "a", "reason": "..."}` → "a": the topic-named field, else the only string field. */
function fieldOf(item: Record<string, unknown>): unknown {
  const entries = Object.entries(item);
  const named = entries.find(([k]) => ITEM_FIELD.test(k));
  if (named !== undefined) return named[1];
  const strings = entries.filter(([, v]) => typeof v === 'string');
  return strings.length === 1 ? strings[0]?.[1] : undefined;
}

// --- numbered and bulleted lists ---------------------------------------------------------------

// `1. x`, `1) x`, `- x`, `* x`, `• x`, also as a heading (`### 1. x`) or in bold (`**1. x**`).
const LIST_ITEM = /^(\s*)(?:#{1,6}\s*)?(\*\*)?(?:(\d{1,3})[.)]|([-*•+–]))\s+(.*)$/;

const INLINE_LIST = /(?:^|\s)1[.)]\s.*\s2[.)]\s.*\s3[.)]\s/;

interface Run {
  numbered: boolean;
  indent: number;
  lastNumber: number;
  items: { text: string; line: number }[];
}

function* listCandidates(text: string): Generator<Candidate> {
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

function lastNonBlank(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if ((lines[i] ?? '').trim() !== '') return i;
  return -1;
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
function nameBeforeExplanation(text: string): string | undefined {
  const m = /^(.+?)(?:\s[-–—]\s|:\s)(.*)$/.exec(text);
  return m !== null && wordCount(m[2] ?? '') >= 3 ? m[1] : undefined;
}

// --- "Topics: a, b, c" and bare comma-separated lines ------------------------------------------

// Words that mark a clause of a sentence rather than a topic ("Sure, here you go").
const PROSE_WORDS = new Set(
  "i i'm i'd me my you your you'd you're we here sure sorry can can't cannot could would should might these this is are was were hope please let based if enjoy suggest recommend help".split(' '),
);

function* commaLineCandidates(text: string): Generator<Candidate> {
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

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w !== '').length;
}

// --- markdown tables: the first column of the body rows --------------------------------------

function* tableCandidates(text: string): Generator<Candidate> {
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

function looseArrayCandidate(text: string): Candidate | undefined {
  // Not followed by "(": that is a markdown link, not a list.
  const m = /\[([^[\]{}]{1,1000})\](?!\()/.exec(text);
  if (m === null || !(m[1] ?? '').includes(',')) return undefined;
  // Literals stay non-strings here too: `[null, None, 3]` holds no topics.
  const entries = (m[1] ?? '').split(',').map((p) => (/^(?:null|none|true|false|-?\d+(?:\.\d+)?)$/i.test(p.trim()) ? null : p.trim()));
  return { entries, lastMayBeCut: false };
}

// --- one topic per line, no markers -----------------------------------------------------------

function* plainLineCandidates(text: string, settings: Settings): Generator<Candidate> {
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

// ---------------------------------------------------------------------------------------------
// Cleaning: one string per topic, as the model wrote it, in the model's order.

function clean(candidate: Candidate, settings: Settings): Cleaned {
  const dropped = new Map<DropReason, number>();
  const drop = (reason: DropReason) => dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
  let entries = candidate.entries;
  if (settings.truncated && candidate.lastMayBeCut && entries.length > 0) {
    entries = entries.slice(0, -1);
    drop('cut off');
  }
  const topics: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== 'string') {
      drop('null or non-string');
      continue;
    }
    const topic = cleanTopic(entry);
    if (topic === '') drop('empty');
    else if ([...topic].length > settings.maxTopicChars) drop('too long');
    else {
      // NFKC so that full-width and composed forms of the same topic count as one.
      const key = topic.normalize('NFKC').toLowerCase();
      if (seen.has(key)) drop('duplicate');
      else {
        seen.add(key);
        topics.push(topic);
      }
    }
  }
  return { topics, dropped };
}

const WRAPPERS: [string, string][] = [['**', '**'], ['__', '__'], ['"', '"'], ["'", "'"], ['“', '”'], ['‘', '’'], ['`', '`'], ['*', '*']];

// A topic is stored, logged, embedded and shown: control characters (C0, DEL, C1) would reach
// terminals and C-string consumers, bidi embeddings, overrides and isolates reorder what a reader
// sees (Trojan Source), and a lone surrogate is not encodable as UTF-8. Models and hostile
// catalog text put all of them in answers; none is part of a topic's meaning.
const CONTROL = /\p{Cc}/gu;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function cleanTopic(entry: string): string {
  let topic = entry.replace(LONE_SURROGATE, '').replace(BIDI_CONTROL, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  // "Space Opera: epic adventures across galaxies" inside a JSON string: the name is the topic.
  topic = nameBeforeExplanation(topic) ?? topic;
  for (let layer = 0; layer < 4; layer++) {
    const before = topic;
    topic = topic.replace(/[.,;:!]+$/, '').trim();
    const wrapper = WRAPPERS.find(([open, close]) => topic.length > open.length + close.length && topic.startsWith(open) && topic.endsWith(close));
    if (wrapper !== undefined) topic = topic.slice(wrapper[0].length, -wrapper[1].length).trim();
    // A bold marker left unbalanced by the list-item prefix (`**1. Space Opera**`).
    topic = topic.replace(/^\*\*(?!.*\*\*)|(?<!\*\*.*)\*\*$/g, '').trim();
    if (topic === before) break;
  }
  // No letter, digit or symbol left (zero-width characters, quotes around a removed lone
  // surrogate, lone punctuation): nothing a reader could recognise as a topic.
  return /[\p{L}\p{N}\p{S}]/u.test(topic) ? topic : '';
}
