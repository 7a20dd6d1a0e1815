import { type Book, loadFold } from '@coldstart/goodbooks';
import OpenAI, { APIConnectionTimeoutError, APIError, BadRequestError, NotFoundError } from 'openai';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FaultProfileInput } from './fault-profile.js';
import { type LlmServer, startLlmServer } from './llm-server.js';

const MODEL = 'coldstart-local';
const prompt = (interest: string) =>
  `The user has shown interest in: ${interest}.\nSuggest 3–5 related book topics they might enjoy.\nRespond with a JSON list of topic keywords.`;

let books: Book[];
let categories: Set<string>;
const servers: LlmServer[] = [];
beforeAll(async () => {
  books = (await loadFold('c')).books;
  categories = new Set(books.flatMap((b) => [...b.genres, ...b.tags]));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(faults: FaultProfileInput = {}, models?: string[]) {
  const server = await startLlmServer({ fold: books, faults, ...(models ? { models } : {}) });
  servers.push(server);
  const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
  const ask = (interest: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
    client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: prompt(interest) }], ...extra });
  return { server, client, ask };
}

describe('startLlmServer with the openai SDK', () => {
  it('lists its models and answers real catalog topics in the OpenAI shape, with usage', async () => {
    const { server, client, ask } = await start({}, ['coldstart-local', 'llama-3.2-3b']);
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['coldstart-local', 'llama-3.2-3b']);
    expect((await client.models.retrieve('llama-3.2-3b')).id).toBe('llama-3.2-3b');

    const completion = await ask('fantasy, young-adult');
    expect(completion).toMatchObject({ object: 'chat.completion', model: MODEL, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant' } }] });
    const topics = z.array(z.string()).parse(JSON.parse(completion.choices[0]?.message.content ?? ''));
    expect(topics).toHaveLength(5);
    expect(topics).not.toContain('fantasy');
    for (const topic of topics) expect(categories).toContain(topic);
    const usage = completion.usage;
    expect(usage?.completion_tokens).toBeGreaterThan(5);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    // Deterministic: the same prompt, the same answer.
    expect((await ask('fantasy, young-adult')).choices[0]?.message.content).toBe(completion.choices[0]?.message.content);
  });

  it('honours response_format: json_schema (object or array, item bounds), json_object; ignores guided_json', async () => {
    const { ask } = await start();
    const Keywords = z.object({ keywords: z.array(z.string()).min(2).max(3) }).strict();
    const objectSchema = { type: 'object', properties: { keywords: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 3 } }, required: ['keywords'], additionalProperties: false };
    const asObject = await ask('mystery', { response_format: { type: 'json_schema', json_schema: { name: 'topics', schema: objectSchema, strict: true } } });
    expect(Keywords.parse(JSON.parse(asObject.choices[0]?.message.content ?? '')).keywords).toHaveLength(3);

    const asArray = await ask('mystery', { response_format: { type: 'json_schema', json_schema: { name: 'topics', schema: { type: 'array', items: { type: 'string' }, minItems: 7 } } } });
    expect(z.array(z.string()).length(7).parse(JSON.parse(asArray.choices[0]?.message.content ?? ''))).toBeDefined();

    const asJsonObject = await ask('mystery', { response_format: { type: 'json_object' } });
    expect(z.object({ topics: z.array(z.string()).length(5) }).parse(JSON.parse(asJsonObject.choices[0]?.message.content ?? ''))).toBeDefined();

    const guided = await ask('mystery', { guided_json: objectSchema } as Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>);
    expect(z.array(z.string()).length(5).parse(JSON.parse(guided.choices[0]?.message.content ?? ''))).toBeDefined();

    await expect(ask('mystery', { response_format: { type: 'json_schema', json_schema: { name: 'n', schema: { type: 'integer' } } } })).rejects.toBeInstanceOf(BadRequestError);
  });

  it('answers OpenAI-shaped errors: 404 for an unknown model, 400 for bad bodies and for stream', async () => {
    const { server, client, ask } = await start();
    const unknown = await ask('mystery', { model: 'gpt-4o' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error' });

    const post = (body: string) => fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const invalidJson = await post('{"model": ');
    expect(invalidJson.status).toBe(400);
    expect(await invalidJson.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('invalid JSON') as unknown } });
    const noMessages = await post(JSON.stringify({ model: MODEL }));
    expect(noMessages.status).toBe(400);
    expect(await noMessages.json()).toMatchObject({ error: { message: expect.stringContaining('messages') as unknown } });

    const streamed = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }).catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(BadRequestError);
    expect((streamed as APIError).message).toContain('stream is not supported by this test server');

    expect(await (await fetch(server.baseUrl.replace(/\/v1$/, '/healthz'))).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(server.baseUrl.replace(/\/v1$/, '/stats'))).json()).toEqual({ requests: 4, conversations: 0, byOutcome: { unknown_model: 1, bad_request: 3 } });
  });

  it('fails exactly the configured share of requests with each status, Retry-After on 429', async () => {
    const { server, ask } = await start({ errors: { 500: 0.2, 503: 0.1, 429: 0.05 }, retryAfterSeconds: 7, seed: 3 });
    const statuses: Record<string, number> = {};
    const retryAfter = new Set<string | null>();
    // 40 requests, 8 at a time: the fault pattern does not depend on the order they land in.
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          try {
            await ask('horror');
            statuses.ok = (statuses.ok ?? 0) + 1;
          } catch (error) {
            if (!(error instanceof APIError)) throw error;
            statuses[String(error.status)] = (statuses[String(error.status)] ?? 0) + 1;
            if (error.status === 429) retryAfter.add(error.headers?.get('retry-after') ?? null);
          }
        }),
      );
    }
    expect(statuses).toEqual({ ok: 26, 500: 8, 503: 4, 429: 2 });
    expect([...retryAfter]).toEqual(['7']);
    expect(server.stats()).toEqual({ requests: 40, conversations: 40, byOutcome: { ok: 26, 500: 8, 503: 4, 429: 2 } });
  });

  it('hangs until the client gives up, and close() does not wait for hanging connections', async () => {
    const { server, client } = await start({ hangShare: 1 });
    const started = performance.now();
    const timedOut = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: prompt('horror') }] }, { timeout: 200 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(APIConnectionTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);

    // One more, left hanging with no client timeout at all.
    const pending = fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }) });
    await expect.poll(() => server.stats().requests).toBe(2);
    const closing = performance.now();
    await server.close();
    expect(performance.now() - closing).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
    expect(server.stats().byOutcome).toEqual({ hang: 2 });
  });

  it('waits the configured latency, also before an error, and close() cuts a wait short', async () => {
    const { server, ask } = await start({ latency: { kind: 'fixed', ms: 150 }, errors: { 503: 0.5 } });
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      await ask('horror').catch(() => undefined);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    }
    expect(server.stats().byOutcome).toEqual({ ok: 1, 503: 1 });

    const slow = await start({ latency: { kind: 'fixed', ms: 60_000 } });
    const pending = slow.ask('horror').catch((e: unknown) => e);
    await expect.poll(() => slow.server.stats().requests).toBe(1);
    const t0 = performance.now();
    await slow.server.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(APIError);
  });

  it('truncates to max_tokens with finish_reason "length": the published notebook\'s max_tokens 16 truncates every answer', async () => {
    const { ask } = await start();
    for (const interest of ['fantasy', 'mystery', 'science fiction', 'romance', 'no such thing', 'horror, ghosts']) {
      const short = await ask(interest, { max_tokens: 16 });
      expect(short.choices[0]?.finish_reason).toBe('length');
      expect(short.usage?.completion_tokens).toBe(16);
      expect(() => JSON.parse(short.choices[0]?.message.content ?? '') as unknown).toThrow();
      const full = await ask(interest, { max_tokens: 64 });
      expect(full.choices[0]?.finish_reason).toBe('stop');
      expect(full.choices[0]?.message.content?.startsWith(short.choices[0]?.message.content ?? '-')).toBe(true);
    }
    expect((await ask('fantasy', { max_completion_tokens: 5 })).choices[0]?.finish_reason).toBe('length');
  });

  it('gives each malformed form its exact share, and leaves usage out of the configured share', async () => {
    const { server, ask } = await start({ outputs: { garbage: 0.2, fenced: 0.2, prose: 0.2, think: 0.2, truncated: 0.2, omitUsage: 0.4 }, seed: 11 });
    const forms: Record<string, number> = {};
    let withoutUsage = 0;
    for (let i = 0; i < 20; i++) {
      const completion = await ask('fantasy');
      const content = completion.choices[0]?.message.content ?? '';
      const finish = completion.choices[0]?.finish_reason;
      if (completion.usage === undefined) withoutUsage++;
      const form = content.startsWith('```json\n') && content.endsWith('\n```')
        ? 'fenced'
        : content.startsWith('<think>\n')
          ? 'think'
          : finish === 'length'
            ? 'truncated'
            : /^[A-Z][^[]*\[.*\][^\]]*\.$/.test(content)
              ? 'prose'
              : 'garbage';
      forms[form] = (forms[form] ?? 0) + 1;
      if (form === 'think' || form === 'fenced' || form === 'prose') {
        const list = z.array(z.string()).parse(JSON.parse(/\[.*\]/s.exec(content)?.[0] ?? ''));
        for (const topic of list) expect(categories).toContain(topic);
      }
      if (form === 'garbage') expect(() => JSON.parse(content) as unknown).toThrow();
    }
    expect(forms).toEqual({ garbage: 4, fenced: 4, prose: 4, think: 4, truncated: 4 });
    expect(withoutUsage).toBe(8);
    expect(server.stats().byOutcome).toEqual({ garbage: 4, fenced: 4, prose: 4, think: 4, truncated: 4 });
  });
});
