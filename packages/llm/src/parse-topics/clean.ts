// Cleaning: one string per topic, as the model wrote it, in the model's order.

import { nameBeforeExplanation } from './list-candidates.js';
import type { Candidate, Settings } from './candidate.js';

export type DropReason = 'null or non-string' | 'empty' | 'too long' | 'duplicate' | 'cut off';

export interface Cleaned {
  topics: string[];
  dropped: Map<DropReason, number>;
}

export function clean(candidate: Candidate, settings: Settings): Cleaned {
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
