import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFold, usersWithMinRatings, type Book } from '@coldstart/goodbooks';
import { startLlmServer, type LlmServer } from '@coldstart/llm-server';
import { PipelineHarness } from './support/pipeline-harness.js';
import { signup, upserted } from './support/book-events.js';

/**
 * The expand pool on the LLM path, end to end through SQS and every pool's own process, against
 * the local OpenAI-compatible server failing the way the issue asks: 30 % 5xx, 5 % hangs, 10 %
 * garbage. Two expand processes share the cache and coalesce. Every user must be served, and
 * the cache plus coalescing must keep LLM requests at or below a fifth of the users.
 */
describe('LLM expansion through the pipeline, with a failing LLM server', () => {
  const USERS = 200;
  let harness: PipelineHarness;
  let llm: LlmServer;
  let books: Book[];
  let signups: ReturnType<typeof signup>[];

  beforeAll(async () => {
    const fold = await loadFold('a');
    books = fold.books;
    llm = await startLlmServer({
      models: ['llama-3.2-3b'],
      fold: fold.books,
      faults: { errors: { '500': 0.2, '503': 0.1 }, hangShare: 0.05, outputs: { garbage: 0.1 }, latency: { kind: 'uniform', minMs: 20, maxMs: 120 }, seed: 7 },
    });
    harness = await PipelineHarness.start({
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'llama-3.2-3b',
      LLM_TIMEOUT_MS: '1000',
      LLM_RETRIES: '2',
      LLM_RETRY_BASE_MS: '50',
      LLM_BREAKER_FAILURES: '5',
      LLM_BREAKER_OPEN_MS: '2000',
    });
    await harness.startAnother('worker-expand');
    await harness.publish(books.map(upserted));
    await harness.waitForCatalog(books.length, 90_000);
    const byId = new Map(books.map((b) => [b.bookId, b]));
    signups = usersWithMinRatings(fold, 5)
      .slice(0, USERS)
      .map((u) => signup(`llm-user-${u.userId}`, byId.get(u.ratings[0]!.bookId)!));
  }, 180_000);

  afterAll(async () => {
    await harness?.stop();
    await llm?.close();
  });

  it('serves every user, records where each list\'s topics came from, and calls the LLM for at most a fifth of them', async () => {
    await harness.publish(signups);
    const lists = await harness.waitForLists(signups, 150_000, 500);

    const sources: Record<string, number> = {};
    for (const list of lists.values()) {
      sources[list.expansion.source] = (sources[list.expansion.source] ?? 0) + 1;
      expect(list.expansion.variant).toBe('default');
      expect(list.topics.length).toBeGreaterThanOrEqual(1);
      expect(list.items.length).toBeGreaterThan(0);
      if (list.expansion.source !== 'fallback') expect(list.expansion).toMatchObject({ expander: 'llm:llama-3.2-3b', promptVersion: 'published-v1' });
    }
    // Conversations, not HTTP requests: a batched request carries several users' (LLM_BATCH_MAX).
    const { requests, conversations } = llm.stats();
    console.log(`LLM pipeline under faults: ${signups.length} users, sources ${JSON.stringify(sources)}, ${conversations} LLM conversations in ${requests} requests (${(conversations / signups.length).toFixed(3)} per user), server outcomes ${JSON.stringify(llm.stats().byOutcome)}`);
    expect(sources.llm).toBeGreaterThan(0);
    expect(sources.cache).toBeGreaterThan(0);
    expect(conversations).toBeGreaterThan(0);
    expect(conversations).toBeLessThanOrEqual(signups.length / 5);
    expect(await harness.failedJobs()).toEqual([]);
  }, 200_000);
});
