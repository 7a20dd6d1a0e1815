// Strategy 1: a JSON value anywhere in the text, also double-encoded or in JSON lines.

import { endOfDoubleQuoted, scanJson } from './json-repair.js';
import { commaLineCandidates } from './line-candidates.js';
import { type Candidate, type Settings, wordCount } from './candidate.js';

// Each failed attempt rescans from the next bracket; prose full of brackets must not go quadratic.
const MAX_JSON_ATTEMPTS = 20;
// A JSON string holding JSON holding JSON… is decoded this many levels at most.
const MAX_DECODE_DEPTH = 3;

export function jsonCandidate(text: string, settings: Settings, depth: number): Candidate | undefined {
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
