import { type Book, loadFold } from '@coldstart/goodbooks';
import OpenAI, { APIError, NotFoundError } from 'openai';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultProfile, type FaultProfileInput } from './fault-profile.js';
import { FaultSchedule } from './fault-schedule.js';
import { type LlmServer, startLlmServer } from './llm-server.js';

const MODEL = 'coldstart-local';
const conversation = (interest: string) => [{ role: 'user', content: `The user has shown interest in: ${interest}.\nSuggest 3–5 related book topics.` }];

interface BatchCompletion {
  object: string;
  choices: { index: number; finish_reason: string; message: { role: string; content: string } }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

let books: Book[];
const servers: LlmServer[] = [];
beforeAll(async () => {
  books = (await loadFold('c')).books;
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: { faults?: FaultProfileInput; batchEndpoint?: boolean } = {}) {
  const server = await startLlmServer({ fold: books, ...options });
  servers.push(server);
  const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
  const batch = (interests: string[], extra: Record<string, unknown> = {}) =>
    client.post<BatchCompletion>('/chat/completions/batch', { body: { model: MODEL, messages: interests.map(conversation), ...extra } });
  return { server, client, batch };
}

describe('the batched chat-completions endpoint (vLLM ≥ 0.26)', () => {
  it('answers each conversation as a completion of its own would, one choice each in order, with the batch’s usage', async () => {
    const { server, client, batch } = await start();
    const interests = ['fantasy', 'horror', 'romance, regency'];
    const answered = await batch(interests);
    expect(answered.object).toBe('chat.completion');
    expect(answered.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    let promptTokens = 0;
    for (const [i, interest] of interests.entries()) {
      const alone = await client.chat.completions.create({ model: MODEL, messages: conversation(interest) as OpenAI.ChatCompletionMessageParam[] });
      expect(answered.choices[i]?.message.content).toBe(alone.choices[0]?.message.content);
      promptTokens += alone.usage?.prompt_tokens ?? 0;
    }
    expect(answered.usage?.prompt_tokens).toBe(promptTokens);
    expect(new Set(answered.choices.map((c) => c.message.content)).size).toBe(3);
    expect(server.stats()).toEqual({ requests: 4, conversations: 6, byOutcome: { ok: 6 } });
  });

  it('refuses what vLLM’s batch refuses (n > 1, tools, stream) and a conversation that is not a list, with 400s', async () => {
    const { batch } = await start();
    for (const extra of [{ n: 2 }, { tools: [{ type: 'function', function: { name: 'f' } }] }, { stream: true }]) {
      const refused = await batch(['fantasy'], extra).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(APIError);
      expect((refused as APIError).status).toBe(400);
    }
    const { client } = await start();
    const flat = await client.post('/chat/completions/batch', { body: { model: MODEL, messages: conversation('fantasy') } }).catch((e: unknown) => e);
    expect((flat as APIError).status).toBe(400);
  });

  it('fails the whole request when its first conversation draws an error, as a server fails a request, and counts it for each conversation', async () => {
    const faults = { errors: { 503: 0.3 }, seed: 1 };
    const { server, batch } = await start({ faults });
    // The same schedule, read directly: conversation 2i opens batch i.
    const schedule = new FaultSchedule(FaultProfile.parse(faults));
    const expected = Array.from({ length: 10 }, (_, i) => (schedule.fate(2 * i).outcome.kind === 'error' ? 503 : 'ok'));
    const outcomes: (number | 'ok')[] = [];
    for (let i = 0; i < 10; i++) outcomes.push(await batch(['fantasy', 'horror']).then(() => 'ok' as const, (e: unknown) => (e as APIError).status ?? -1));
    expect(outcomes).toEqual(expected);
    const failed = expected.filter((o) => o === 503).length;
    expect(failed).toBeGreaterThan(0);
    // A second conversation's own error does not fail its batch: it is answered.
    const answeredDespiteOwnError = Array.from({ length: 10 }, (_, i) => i).filter((i) => expected[i] === 'ok' && schedule.fate(2 * i + 1).outcome.kind === 'error');
    expect(answeredDespiteOwnError.length).toBeGreaterThan(0);
    expect(server.stats()).toEqual({ requests: 10, conversations: 20, byOutcome: { ok: 2 * (10 - failed), 503: 2 * failed } });
  });

  it('is a 404 on a server started without it, as on vLLM before 0.26', async () => {
    const { client, batch } = await start({ batchEndpoint: false });
    expect(await batch(['fantasy']).catch((e: unknown) => e)).toBeInstanceOf(NotFoundError);
    expect((await client.chat.completions.create({ model: MODEL, messages: conversation('fantasy') as OpenAI.ChatCompletionMessageParam[] })).choices).toHaveLength(1);
  });
});
