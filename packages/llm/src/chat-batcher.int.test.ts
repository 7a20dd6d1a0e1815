import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmServer, type FaultProfileInput, type LlmServer } from '@coldstart/llm-server';
import { ChatBatcher, type ChatBatchOptions } from './chat-batcher.js';
import type { ChatMessage } from './prompt-templates.js';
import { LlmUnavailableError, requestTopics, requestTopicsBatch, type TopicsRequestSettings } from './topics-request.js';

const MODEL = 'llama-3.2-3b';
const SETTINGS: TopicsRequestSettings = { model: MODEL, temperature: 0, maxTokens: 128, responseFormat: 'json_schema', timeoutMs: 2_000, retries: 1, retryBaseMs: 5 };
const messages = (interest: string): ChatMessage[] => [{ role: 'user', content: `The user has shown interest in: ${interest}.\nSuggest 3–5 related book topics.` }];
const INTERESTS = ['fantasy', 'horror', 'romance', 'history', 'science', 'poetry', 'mystery'];

const servers: LlmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setUp(options: { faults?: FaultProfileInput; batchEndpoint?: boolean; batch?: Partial<ChatBatchOptions> } = {}) {
  const bodies: { messages: unknown[] }[] = [];
  const server = await startLlmServer({ models: [MODEL], ...(options.faults ? { faults: options.faults } : {}), ...(options.batchEndpoint === false ? { batchEndpoint: false } : {}), onChatRequest: (body) => bodies.push(body as { messages: unknown[] }) });
  servers.push(server);
  /** Requests whose transport saw its abort signal fire. */
  let abortedRequests = 0;
  const fetch: typeof globalThis.fetch = (input, init) => {
    init?.signal?.addEventListener('abort', () => abortedRequests++, { once: true });
    return globalThis.fetch(input, init);
  };
  const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0, fetch });
  const unsupported: number[] = [];
  const batcher = new ChatBatcher(client, SETTINGS, { maxSize: 32, windowMs: 20, ...options.batch }, (error) => unsupported.push(error.status ?? -1));
  /** Whether a request body was a batch (a list of conversations) or one conversation. */
  const shapes = () => bodies.map((body) => (Array.isArray(body.messages[0]) ? `batch of ${body.messages.length}` : 'one'));
  return { server, client, batcher, shapes, unsupported, abortedRequests: () => abortedRequests };
}

describe('ChatBatcher', () => {
  it('sends the conversations asked together as one batch, and gives each caller the answer its own request gets', async () => {
    const { server, client, batcher, shapes } = await setUp();
    const answers = await Promise.all(INTERESTS.map((interest) => batcher.ask(messages(interest))));
    expect(shapes()).toEqual([`batch of ${INTERESTS.length}`]);
    let promptTokens = 0;
    for (const [i, interest] of INTERESTS.entries()) {
      const alone = await requestTopics(client, messages(interest), SETTINGS);
      expect(answers[i]).toMatchObject({ content: alone.content, finishReason: alone.finishReason, attempts: 1 });
      promptTokens += alone.promptTokens;
    }
    // The batch's tokens are told once, so a sum over answers is the batch's.
    expect(answers.reduce((sum, a) => sum + a.promptTokens, 0)).toBe(promptTokens);
    expect(answers.filter((a) => a.promptTokens > 0)).toHaveLength(1);
    expect(server.stats().conversations).toBe(2 * INTERESTS.length);
  });

  it('cuts batches at the size limit, and sends a lone conversation on its own', async () => {
    const { batcher, shapes } = await setUp({ batch: { maxSize: 3 } });
    await Promise.all(INTERESTS.map((interest) => batcher.ask(messages(interest))));
    expect(shapes()).toEqual(['batch of 3', 'batch of 3', 'one']);
    await batcher.ask(messages('fantasy'));
    expect(shapes()).toHaveLength(4);
    expect(shapes()[3]).toBe('one');
  });

  it('sends every conversation on its own with a size limit of 1', async () => {
    const { batcher, shapes } = await setUp({ batch: { maxSize: 1 } });
    expect(batcher.batched).toBe(false);
    await Promise.all(INTERESTS.slice(0, 3).map((interest) => batcher.ask(messages(interest))));
    expect(shapes()).toEqual(['one', 'one', 'one']);
  });

  it('falls back to one conversation per request, for good, on a server without the batch endpoint', async () => {
    const { server, client, batcher, shapes, unsupported } = await setUp({ batchEndpoint: false });
    const answers = await Promise.all(INTERESTS.slice(0, 3).map((interest) => batcher.ask(messages(interest))));
    for (const [i, interest] of INTERESTS.slice(0, 3).entries()) expect(answers[i]?.content).toBe((await requestTopics(client, messages(interest), SETTINGS)).content);
    expect(unsupported).toEqual([404]);
    expect(batcher.batched).toBe(false);
    // The refused batch (a 404 before any body is read), re-sent one by one; then the three comparisons above.
    expect(shapes()).toEqual(['one', 'one', 'one', 'one', 'one', 'one']);
    await Promise.all([batcher.ask(messages('poetry')), batcher.ask(messages('science'))]);
    expect(shapes().slice(6)).toEqual(['one', 'one']);
    expect(server.stats().requests).toBe(8);
    expect(unsupported).toEqual([404]);
  });

  it('fails every member with the batch’s own failure after the retries', async () => {
    const { server, batcher } = await setUp({ faults: { errors: { 503: 1 } } });
    const outcomes = await Promise.allSettled(INTERESTS.slice(0, 4).map((interest) => batcher.ask(messages(interest))));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as LlmUnavailableError;
      expect(error).toBeInstanceOf(LlmUnavailableError);
      expect(error).toMatchObject({ kind: '503', attempts: 2 });
    }
    expect(server.stats()).toMatchObject({ requests: 2, conversations: 8 });
  });

  it('lets a caller give up: aborted at once, left out of the batch, the others answered', async () => {
    const { batcher, shapes } = await setUp({ batch: { windowMs: 50 } });
    const leaving = new AbortController();
    const asks = INTERESTS.slice(0, 3).map((interest, i) => batcher.ask(messages(interest), i === 1 ? leaving.signal : undefined));
    leaving.abort(new Error('job stopped'));
    const outcomes = await Promise.allSettled(asks);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ kind: 'aborted' });
    expect(shapes()).toEqual(['batch of 2']);
  });

  it('aborts the batch’s request once every member has given up', async () => {
    const { server, batcher, abortedRequests } = await setUp({ faults: { latency: { kind: 'fixed', ms: 5_000 } }, batch: { windowMs: 0 } });
    const controllers = [new AbortController(), new AbortController()];
    const asks = controllers.map((controller, i) => batcher.ask(messages(INTERESTS[i] as string), controller.signal));
    await expect.poll(() => server.stats().requests).toBe(1);
    controllers[0]?.abort(new Error('shutting down'));
    await expect(asks[0]).rejects.toMatchObject({ kind: 'aborted' });
    // One member still waits: the request goes on.
    expect(abortedRequests()).toBe(0);
    controllers[1]?.abort(new Error('shutting down'));
    await expect(asks[1]).rejects.toMatchObject({ kind: 'aborted' });
    await expect.poll(abortedRequests).toBe(1);
  });

  it('refuses a size below 1 and a negative window', async () => {
    const { client } = await setUp();
    expect(() => new ChatBatcher(client, SETTINGS, { maxSize: 0, windowMs: 5 })).toThrow(/positive integer/);
    expect(() => new ChatBatcher(client, SETTINGS, { maxSize: 4, windowMs: -1 })).toThrow(/0 ms or more/);
  });
});

describe('requestTopicsBatch', () => {
  it('reads an odd answer defensively: choices by their index, a null one skipped, a missing one as no topics', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [null, { index: 2, message: { content: '["a", "b", "c"]' }, finish_reason: 'stop' }, { index: 0, message: { content: '["d"' }, finish_reason: 'length' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new OpenAI({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: 'x', maxRetries: 0 });
      const batch = await requestTopicsBatch(client, [messages('fantasy'), messages('horror'), messages('romance')], SETTINGS);
      expect(batch.answers).toEqual([
        { content: '["d"', finishReason: 'length' },
        { content: '', finishReason: null },
        { content: '["a", "b", "c"]', finishReason: 'stop' },
      ]);
      expect(batch).toMatchObject({ promptTokens: 0, completionTokens: 0, attempts: 1 });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
