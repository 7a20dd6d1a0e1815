import OpenAI from 'openai';
import type { Encoder } from '@coldstart/embeddings';
import type { ItemUpserted } from '@coldstart/events';
import type { ExpansionInput } from '@coldstart/expander';
import { parseTopics, promptTemplate, requestTopics } from '@coldstart/llm';
import { itemEmbeddingText } from '@coldstart/embeddings';
import { FaissVectorIndex } from '@coldstart/vector-index';
import { percentile } from '@coldstart/runtime';

export interface SequentialReport {
  users: number;
  usersPerSec: number;
  p50MsToRecs: number | null;
  p99MsToRecs: number | null;
  /** Mean per user of each step: the LLM call, encoding the topics, the FAISS searches. */
  meanMs: { llm: number; encode: number; search: number };
  /** Encoder ms per text, one text per call as the pipeline's embed jobs ask (used to take encoder time out of the pipeline's CPU). */
  encodeMsPerText: number;
}

/**
 * The published notebook's loop, on the same building blocks the pools use: for one user at a
 * time, ask the LLM for topics (published prompt, JSON schema, openai SDK), encode them, search
 * the catalog's FAISS index, merge. No cache, no concurrency. The pipeline also filters seen
 * items, diversifies and stores the list; the baseline does not, which favours the baseline.
 */
export async function runSequentialBaseline(options: {
  baseUrl: string;
  model: string;
  encoder: Encoder;
  items: readonly ItemUpserted[];
  inputs: readonly ExpansionInput[];
}): Promise<SequentialReport> {
  const { encoder } = options;
  const index = new FaissVectorIndex({ dimension: encoder.dimension });
  for (const item of options.items) {
    const [vector] = await encoder.encode([itemEmbeddingText(item)]);
    if (vector) index.upsert(item.itemId, vector);
  }
  const client = new OpenAI({ baseURL: options.baseUrl, apiKey: 'unused', maxRetries: 0, timeout: 60_000 });
  const template = promptTemplate('published-v1');
  const settings = { model: options.model, temperature: 0, maxTokens: 128, responseFormat: 'json_schema' as const, timeoutMs: 60_000, retries: 2, retryBaseMs: 200 };

  const times: number[] = [];
  const spent = { llm: 0, encode: 0, search: 0 };
  let texts = 0;
  const started = performance.now();
  for (const input of options.inputs) {
    const t0 = performance.now();
    const prompt = template.render(input);
    if (!prompt) throw new Error(`user ${input.userId} has nothing to expand`);
    const answer = await requestTopics(client, prompt.messages, settings);
    const parsed = parseTopics(answer.content, { truncated: answer.finishReason === 'length' });
    const t1 = performance.now();
    const vectors: Float32Array[] = [];
    for (const topic of parsed.topics) {
      const [vector] = await encoder.encode([topic]).catch(() => [undefined]);
      texts++;
      if (vector) vectors.push(vector);
    }
    const t2 = performance.now();
    const best = new Map<string, number>();
    for (const vector of vectors) for (const hit of index.search(vector, 10)) best.set(hit.id, Math.max(best.get(hit.id) ?? -1, hit.score));
    [...best].sort((a, b) => b[1] - a[1]).slice(0, 10);
    const t3 = performance.now();
    spent.llm += t1 - t0;
    spent.encode += t2 - t1;
    spent.search += t3 - t2;
    times.push(t3 - t0);
  }
  const elapsedSec = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const n = options.inputs.length;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    users: n,
    usersPerSec: round(n / elapsedSec),
    p50MsToRecs: percentile(times.map(Math.round), 50),
    p99MsToRecs: percentile(times.map(Math.round), 99),
    meanMs: { llm: round(spent.llm / n), encode: round(spent.encode / n), search: round(spent.search / n) },
    encodeMsPerText: texts > 0 ? spent.encode / texts : 0,
  };
}
