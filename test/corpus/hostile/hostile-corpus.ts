import { readFileSync } from 'node:fs';
import type { EventType } from '@coldstart/events';

/** A field too large to keep in the file: `@@PAD@@` in the text stands for `unit` repeated `times` times. */
export interface Pad {
  unit: string;
  times: number;
}

export type HostileEvent =
  | { body: string; expect: 'accepted'; type: EventType; note: string; pad?: Pad }
  | { body: string; expect: 'rejected'; errorIncludes: string; note: string; pad?: Pad };

export interface HostileLlmOutput {
  text: string;
  /** "any": either outcome is fine, as long as the format holds. */
  expect: 'ok' | 'refused' | 'any';
  /** The exact topics, when an `ok` answer has an obvious right reading. */
  topics?: string[];
  finishReason?: 'length';
  note: string;
  pad?: Pad;
}

/** Fields of an item.upserted event; every entry is valid under the contract. */
export interface HostileItemText {
  note: string;
  title: string;
  description?: string;
  authors?: string[];
  categories: string[];
}

/** A signup interest (category); every entry is valid under the contract. */
export interface HostileInterest {
  note: string;
  category: string;
}

export const PAD_MARKER = '@@PAD@@';

export function expand(text: string, pad: Pad | undefined): string {
  return pad === undefined ? text : text.replace(PAD_MARKER, pad.unit.repeat(pad.times));
}

function readLines<T>(name: string): T[] {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

export const hostileEvents = (): HostileEvent[] => readLines<HostileEvent>('events.jsonl');
export const hostileLlmOutputs = (): HostileLlmOutput[] => readLines<HostileLlmOutput>('llm-outputs.jsonl');
export const hostileItemTexts = (): HostileItemText[] => readLines<HostileItemText>('item-texts.jsonl');
export const hostileInterests = (): HostileInterest[] => readLines<HostileInterest>('interests.jsonl');

/** Characters no topic may carry: C0, DEL and C1 controls, bidi embeddings/overrides/isolates. */
export const UNSAFE_IN_TOPIC = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
