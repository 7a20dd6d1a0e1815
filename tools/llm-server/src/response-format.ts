import { DEFAULT_TOPIC_COUNT } from './catalog-topics.js';
import type { ResponseFormat } from './chat-request.js';

/** What the answer looks like: a JSON list of topics, or an object whose one property is that list. */
export type AnswerShape =
  | { kind: 'list'; minItems: number; maxItems: number }
  | { kind: 'object'; property: string; minItems: number; maxItems: number };

export class UnsupportedSchemaError extends Error {
  override readonly name = 'UnsupportedSchemaError';
}

const SUPPORTED =
  'this test server answers json_schema only for an array of strings (minItems/maxItems honoured) or an object whose single property is such an array';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function listBounds(schema: unknown): { minItems: number; maxItems: number } | undefined {
  if (!isRecord(schema) || schema.type !== 'array') return undefined;
  if (schema.items !== undefined && !(isRecord(schema.items) && schema.items.type === 'string')) return undefined;
  const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
  return minItems <= maxItems ? { minItems, maxItems } : undefined;
}

/**
 * The shape `response_format` asks for: a schema → that shape (or UnsupportedSchemaError, since
 * silently answering something else would hide a test's mistake); `json_object` →
 * `{"topics": [...]}`; nothing or `text` → a plain JSON list, as the expander's prompt asks.
 */
export function answerShape(format: ResponseFormat | undefined): AnswerShape {
  if (format === undefined || format.type === 'text') return { kind: 'list', minItems: 0, maxItems: Infinity };
  if (format.type === 'json_object') return { kind: 'object', property: 'topics', minItems: 0, maxItems: Infinity };
  const schema = format.json_schema.schema;
  const list = listBounds(schema);
  if (list !== undefined) return { kind: 'list', ...list };
  if (isRecord(schema) && schema.type === 'object' && isRecord(schema.properties)) {
    const entries = Object.entries(schema.properties);
    const [first] = entries;
    const bounds = entries.length === 1 && first !== undefined ? listBounds(first[1]) : undefined;
    if (first !== undefined && bounds !== undefined) return { kind: 'object', property: first[0], ...bounds };
  }
  throw new UnsupportedSchemaError(`${SUPPORTED}; got ${JSON.stringify(schema)}`);
}

export function topicCount(shape: AnswerShape): number {
  return Math.min(shape.maxItems, Math.max(shape.minItems, DEFAULT_TOPIC_COUNT));
}

export function renderAnswer(shape: AnswerShape, topics: readonly string[]): string {
  return JSON.stringify(shape.kind === 'list' ? topics : { [shape.property]: topics });
}
