/**
 * Defensive parsing of an LLM's "related topics" answer. Small instruction models asked for a
 * JSON list answer with fences, prose, numbered lists, Python literals, reasoning blocks and
 * template tokens, and get cut off by max_tokens; the expander must get the topics out of all
 * of these or refuse with a reason specific enough to drive a repair prompt.
 */

import type { Candidate, Settings } from './parse-topics/candidate.js';
import { clean, type Cleaned, type DropReason } from './parse-topics/clean.js';
import { jsonCandidate } from './parse-topics/json-candidate.js';
import { commaLineCandidates, looseArrayCandidate, plainLineCandidates, tableCandidates } from './parse-topics/line-candidates.js';
import { listCandidates } from './parse-topics/list-candidates.js';
import { normalise } from './parse-topics/normalise.js';

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
