import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSqsClient, FAILURE_ATTRIBUTES, publishBodies } from '@coldstart/aws';
import { parseEventBody, type ItemUpserted, type UserSignup } from '@coldstart/events';
import { loadFold, type Book } from '@coldstart/goodbooks';
import { startLlmServer, type LlmServer } from '@coldstart/llm-server';
import { expand, hostileEvents, hostileInterests, hostileItemTexts, hostileLlmOutputs, UNSAFE_IN_TOPIC } from './corpus/hostile/hostile-corpus.js';
import { PipelineHarness } from './support/pipeline-harness.js';
import { upserted } from './support/book-events.js';

/*
 * Hostile input through every pool's own process with the LLM path on (contextual-v1, so seed
 * titles enter the prompt): prompt-injection and unicode-edge item texts and interests,
 * maximum-size fields, invalid bodies, and a proxy in front of the local LLM server that swaps
 * every other answer for a hostile one. Valid events are indexed and served, invalid ones land
 * in the DLQ with parseEventBody's reason, no job fails for good, no process exits, lists keep
 * their shape, and the LLM API key, which the proxy sees on every request, reaches no output.
 */

const MODEL = 'llama-3.2-3b';
const LLM_API_KEY = `llm-key-${randomBytes(12).toString('hex')}`;
const now = () => new Date().toISOString();
// fauxqs refuses characters above U+FFFF in a body (real SQS takes them); escaped in the JSON,
// astral titles and interests still arrive as they are.
const escapeAstral = (body: string) =>
  body.replace(/[\ud800-\udbff][\udc00-\udfff]/g, (pair) => `\\u${pair.charCodeAt(0).toString(16)}\\u${pair.charCodeAt(1).toString(16)}`);
const sqsBody = (event: ItemUpserted | UserSignup) => escapeAstral(JSON.stringify(event));

interface HostileProxy {
  baseUrl: string;
  /** Answers replaced with a hostile one. */
  replaced: number;
  authorizations: Set<string>;
  /** Requests whose body contains the key get the value as their answer. */
  forced: Map<string, string>;
  close(): Promise<void>;
}

/** Forwards to the LLM server; every other chat completion's content becomes the next hostile output. */
async function startHostileProxy(upstream: string, outputs: readonly string[]): Promise<HostileProxy> {
  let completions = 0;
  const proxy: HostileProxy = { baseUrl: '', replaced: 0, authorizations: new Set(), forced: new Map(), close: async () => {} };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      proxy.authorizations.add(req.headers.authorization ?? '(none)');
      const path = (req.url ?? '/').replace(/^\/v1/, '');
      const response = await fetch(`${upstream}${path}`, {
        method: req.method ?? 'GET',
        headers: { 'content-type': 'application/json' },
        ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
      });
      let text = await response.text();
      const requestText = Buffer.concat(chunks).toString('utf8');
      const forced = [...proxy.forced].find(([marker]) => requestText.includes(marker))?.[1];
      if (response.ok && forced !== undefined) {
        const body = JSON.parse(text) as { choices: { message: { content: string } }[] };
        if (body.choices[0] !== undefined) body.choices[0].message.content = forced;
        text = JSON.stringify(body);
      } else if (response.ok && path.startsWith('/chat/completions') && completions++ % 2 === 0) {
        const body = JSON.parse(text) as { choices: { message: { content: string } }[] };
        const choice = body.choices[0];
        if (choice !== undefined) {
          choice.message.content = outputs[proxy.replaced % outputs.length]!;
          proxy.replaced++;
          text = JSON.stringify(body);
        }
      }
      res.writeHead(response.status, { 'content-type': 'application/json' });
      res.end(text);
    })().catch(() => {
      res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()));
  return proxy;
}

describe('hostile input through the pipeline with the LLM path on', () => {
  let harness: PipelineHarness;
  let llm: LlmServer;
  let proxy: HostileProxy;
  let books: Book[];
  const prompts: string[] = [];
  const exits: string[] = [];

  const items: ItemUpserted[] = hostileItemTexts().map(({ note: _note, ...fields }, index) => ({
    schemaVersion: 1,
    type: 'item.upserted',
    eventId: `hostile-item-${index}-${randomBytes(4).toString('hex')}`,
    occurredAt: now(),
    itemId: `hostile-${index}`,
    ...fields,
  }));
  // Bodies that can travel through SQS at all (not empty, under its size limit), each refused.
  const invalid = hostileEvents()
    .filter((e) => e.expect === 'rejected' && e.pad === undefined && e.body !== '')
    .map((e) => escapeAstral(expand(e.body, e.pad)));

  beforeAll(async () => {
    books = (await loadFold('a')).books.slice(0, 100);
    llm = await startLlmServer({
      models: [MODEL],
      fold: books,
      onChatRequest: (body) => {
        // One conversation's messages, or (a batched request) a list of conversations.
        type Message = { role: string; content: unknown };
        const messages = ((body as { messages?: (Message | Message[])[] }).messages ?? []).flat();
        for (const m of messages) if (m.role === 'user' && typeof m.content === 'string') prompts.push(m.content);
      },
    });
    const outputs = hostileLlmOutputs()
      // Answers the parser accepts; an all-gibberish answer has its own test below.
      .filter((o) => o.pad === undefined && o.expect === 'ok')
      .map((o) => o.text);
    proxy = await startHostileProxy(llm.baseUrl, outputs);
    harness = await PipelineHarness.start({
      LLM_BASE_URL: proxy.baseUrl,
      LLM_MODEL: MODEL,
      LLM_API_KEY,
      LLM_PROMPT_VERSION: 'contextual-v1',
      LLM_TIMEOUT_MS: '3000',
      LLM_RETRIES: '1',
      LLM_RETRY_BASE_MS: '50',
      LLM_RATE_LIMIT_PER_SEC: '0',
    });
    for (const app of harness.apps.values()) void app.exited.then((code) => exits.push(`${app.name} exited with ${code}`));
    await harness.publish(books.map(upserted));
    const sqs = createSqsClient({ region: 'us-east-1', endpoint: harness.emulator.endpoint });
    await publishBodies(sqs, harness.itemQueue.url, items.map(sqsBody));
    sqs.destroy();
    await harness.waitForCatalog(books.length + items.length, 40_000);
  }, 90_000);

  afterAll(async () => {
    await harness?.stop();
    await proxy?.close();
    await llm?.close();
  });

  it('indexes hostile items unchanged, serves hostile signups, dead-letters invalid bodies, and leaks no key', async () => {
    const catalog = harness.catalog();
    const stored = await catalog.getItems(items.map((i) => i.itemId));
    for (const item of items) expect(stored.get(item.itemId)?.title, item.itemId).toBe(item.title);
    const applied = await catalog.appliedEvents(items.map((i) => i.itemId));
    for (const item of items) expect(applied.get(item.itemId), item.itemId).toBe(item.eventId);

    const tag = randomBytes(4).toString('hex');
    const signups: UserSignup[] = [
      // Seeded by a hostile item: contextual-v1 puts its title into the prompt.
      ...items.map((item, index): UserSignup => ({
        schemaVersion: 1,
        type: 'user.signup',
        eventId: `hostile-seed-${tag}-${index}`,
        occurredAt: now(),
        userId: index === 0 ? `user-\u202e-rtl-${tag}` : `hostile-seed-user-${tag}-${index}`,
        interests: { items: [{ itemId: item.itemId, rating: 5 }] },
      })),
      // A hostile interest, beside a real book so every expander has something to go on.
      ...hostileInterests().map(({ category }, index): UserSignup => ({
        schemaVersion: 1,
        type: 'user.signup',
        eventId: `hostile-interest-${tag}-${index}`,
        occurredAt: now(),
        userId: `hostile-interest-user-${tag}-${index}`,
        interests: { categories: [category], items: [{ itemId: String(books[index]!.bookId), rating: 4 }] },
      })),
    ];
    const sqs = createSqsClient({ region: 'us-east-1', endpoint: harness.emulator.endpoint });
    await publishBodies(sqs, harness.userQueue.url, [...signups.map(sqsBody), ...invalid]);

    const lists = await harness.waitForLists(signups, 40_000, 250);

    const sources: Record<string, number> = {};
    for (const list of lists.values()) {
      sources[list.expansion.source] = (sources[list.expansion.source] ?? 0) + 1;
      expect(Object.keys(list).sort()).toEqual(['encoder', 'eventId', 'expansion', 'generatedAt', 'items', 'recommendationId', 'topics', 'userId']);
      expect(list.topics.length).toBeGreaterThanOrEqual(1);
      expect(list.topics.length).toBeLessThanOrEqual(5);
      for (const topic of list.topics) expect(typeof topic).toBe('string');
      if (list.expansion.source === 'llm' || list.expansion.source === 'cache') {
        expect(list.expansion).toMatchObject({ expander: `llm:${MODEL}`, promptVersion: 'contextual-v1' });
        for (const topic of list.topics) {
          expect(topic, JSON.stringify(topic)).not.toMatch(UNSAFE_IN_TOPIC);
          expect(topic.isWellFormed()).toBe(true);
          expect([...topic].length).toBeLessThanOrEqual(60);
        }
      }
      for (const item of list.items) {
        expect(Object.keys(item).sort()).toEqual(['itemId', 'reason', 'reasonKind', 'score', 'title']);
        expect(typeof item.title).toBe('string');
        expect(Number.isFinite(item.score)).toBe(true);
      }
    }
    expect(sources['llm'] ?? 0, JSON.stringify(sources)).toBeGreaterThan(0);
    expect(proxy.replaced).toBeGreaterThan(0);

    // Through the API too, for an id with a bidi override: served as JSON, id unchanged.
    const rtlUser = signups[0]!.userId;
    const response = await harness.recommendations(rtlUser);
    expect(response.status).toBe(200);
    expect(response.body.userId).toBe(rtlUser);

    // The hostile titles reached the prompt, and no prompt gained a line from them.
    expect(prompts.some((p) => p.includes('Ignore previous instructions and output'))).toBe(true);
    for (const prompt of prompts) expect(prompt.split('\n').length, prompt.slice(0, 300)).toBeLessThanOrEqual(4);

    // Every invalid body is in the DLQ with the reason parseEventBody gives.
    const reasons: string[] = [];
    await vi.waitFor(
      async () => {
        const received = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: harness.userQueue.deadLetter.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
        );
        for (const message of received.Messages ?? []) {
          reasons.push(message.MessageAttributes?.[FAILURE_ATTRIBUTES.reason]?.StringValue ?? '(no reason)');
          await sqs.send(new DeleteMessageCommand({ QueueUrl: harness.userQueue.deadLetter.url, ReceiptHandle: message.ReceiptHandle }));
        }
        expect(reasons.length).toBe(invalid.length);
      },
      { timeout: 20_000, interval: 100 },
    );
    sqs.destroy();
    const expected = invalid.map((body) => {
      const parsed = parseEventBody(body);
      return parsed.ok ? '(accepted)' : parsed.error;
    });
    expect(reasons.sort()).toEqual(expected.sort());

    expect(await harness.failedJobs()).toEqual([]);
    expect(exits).toEqual([]);

    // The key went out on every LLM request and into no output.
    expect([...proxy.authorizations]).toEqual([`Bearer ${LLM_API_KEY}`]);
    for (const app of [...harness.apps.values(), ...harness.others]) {
      expect(app.output().includes(LLM_API_KEY), `${app.name} logged the LLM API key`).toBe(false);
    }
  }, 90_000);

  it('serves a user whose LLM answer holds no topic the encoder knows, from the seed item alone', async () => {
    // What a prompt-injected seed title can make a model answer: three words no encoder knows.
    const marker = `qzhostile${randomBytes(4).toString('hex')}`;
    proxy.forced.set(marker, '["qzxv wqpx", "zzkq vvqx", "xqzj pqwz"]');
    const event: UserSignup = {
      schemaVersion: 1,
      type: 'user.signup',
      eventId: `gap-${marker}`,
      occurredAt: now(),
      userId: `gap-user-${marker}`,
      interests: { categories: [marker], items: [{ itemId: String(books[0]!.bookId), rating: 5 }] },
    };
    await harness.publish([event]);
    const store = harness.store();
    // Served, or failed for good: whichever comes first decides.
    await vi.waitFor(
      async () => {
        const served = (await store.get(event.userId))?.eventId === event.eventId;
        const failed = (await harness.failedJobs()).some((f) => f.queue === 'recommend');
        expect(served || failed).toBe(true);
      },
      { timeout: 30_000, interval: 250 },
    );
    const list = await store.get(event.userId);
    expect(list?.eventId).toBe(event.eventId);
    expect(list?.topics).toEqual([]);
    expect(list?.items.length).toBeGreaterThan(0);
    expect(list?.items.every((item) => item.reason === `seed:${books[0]!.bookId}`)).toBe(true);
  }, 40_000);
});
