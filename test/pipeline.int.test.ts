import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadFold, type Book } from '@coldstart/goodbooks';
import { PipelineHarness } from './support/pipeline-harness.js';
import { deleted, interaction, signup, upserted } from './support/book-events.js';

/**
 * The walking skeleton end to end: events on SQS, every pool its own process, lists read
 * back through the API process.
 */
describe('pipeline, every app its own process', () => {
  let harness: PipelineHarness;
  let books: Book[];

  beforeAll(async () => {
    harness = await PipelineHarness.start();
    books = (await loadFold('a')).books.slice(0, 150);
    await harness.publish(books.map(upserted));
    const catalog = harness.catalog();
    await vi.waitFor(async () => expect(await catalog.liveCount()).toBe(books.length), { timeout: 60_000, interval: 200 });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const waitForList = async (userId: string, eventId: string) => {
    let body: any;
    await vi.waitFor(
      async () => {
        const response = await harness.recommendations(userId);
        expect(response.status).toBe(200);
        expect(response.body.eventId).toBe(eventId);
        body = response.body;
      },
      { timeout: 60_000, interval: 200 },
    );
    return body;
  };

  it('turns one signup event on SQS into an explained list readable through the API', async () => {
    const seed = books[3]!;
    const event = signup('e2e-user-1', seed);
    expect((await harness.recommendations('e2e-user-1')).status).toBe(404);
    await harness.publish([event]);
    const list = await waitForList('e2e-user-1', event.eventId);

    expect(Object.keys(list).sort()).toEqual(['encoder', 'eventId', 'expansion', 'generatedAt', 'items', 'topics', 'userId']);
    expect(list.userId).toBe('e2e-user-1');
    expect(list.topics.length).toBeGreaterThanOrEqual(3);
    expect(list.topics.length).toBeLessThanOrEqual(5);
    expect(list.expansion.source).toBe('catalog');
    expect(list.items.length).toBe(20);
    for (const item of list.items) {
      expect(Object.keys(item).sort()).toEqual(['itemId', 'reason', 'score', 'title']);
      expect(list.topics).toContain(item.reason);
      expect(books.some((b) => String(b.bookId) === item.itemId && b.title === item.title)).toBe(true);
    }
    expect(list.items.map((i: { itemId: string }) => i.itemId)).not.toContain(String(seed.bookId));
    expect(new Set(list.items.map((i: { itemId: string }) => i.itemId)).size).toBe(list.items.length);
  });

  it('answers 401 without the token, 404 for an unknown user and 400 for a bad id', async () => {
    expect((await fetch(`${harness.apiUrl}/v1/users/x/recommendations`)).status).toBe(401);
    expect((await harness.recommendations('nobody-here')).status).toBe(404);
    expect((await harness.recommendations('x'.repeat(129))).status).toBe(400);
    expect((await harness.recommendations('bad\u0001id')).status).toBe(400);
  });

  it('marks an interacted item as seen and refreshes the list without it', async () => {
    const event = signup('e2e-user-2', books[10]!);
    await harness.publish([event]);
    const before = await waitForList('e2e-user-2', event.eventId);
    const clicked = before.items[0].itemId as string;
    const click = interaction('e2e-user-2', clicked);
    await harness.publish([click]);
    const after = await waitForList('e2e-user-2', click.eventId);
    expect(after.items.map((i: { itemId: string }) => i.itemId)).not.toContain(clicked);
    expect(after.topics).toEqual(before.topics);
  });

  it('removes a deleted item from the index and from every stored list', async () => {
    const first = signup('e2e-user-3', books[20]!);
    const second = signup('e2e-user-4', books[20]!);
    await harness.publish([first, second]);
    const list = await waitForList('e2e-user-3', first.eventId);
    await waitForList('e2e-user-4', second.eventId);
    const victim = list.items[0].itemId as string;
    await harness.publish([deleted(victim)]);
    await vi.waitFor(
      async () => {
        for (const user of ['e2e-user-3', 'e2e-user-4']) {
          const { body } = await harness.recommendations(user);
          expect(body.items.map((i: { itemId: string }) => i.itemId)).not.toContain(victim);
        }
      },
      { timeout: 30_000, interval: 200 },
    );
    // A later signup searches the replica, which applied the delete from the log.
    const third = signup('e2e-user-5', books[20]!);
    await harness.publish([third]);
    const fresh = await waitForList('e2e-user-5', third.eventId);
    expect(fresh.items.map((i: { itemId: string }) => i.itemId)).not.toContain(victim);
    expect((await harness.catalog().getItems([victim])).size).toBe(0);
  });

  it('processes a duplicate eventId once', async () => {
    const event = signup('e2e-user-6', books[30]!);
    await harness.publish([event, event, { ...event, occurredAt: new Date().toISOString() }]);
    await waitForList('e2e-user-6', event.eventId);
    // Give the duplicates every chance to be (wrongly) processed.
    const expand = harness.queue('expand');
    await vi.waitFor(async () => expect(await expand.getWaitingCount() + (await expand.getActiveCount())).toBe(0), { timeout: 20_000 });
    await expand.close();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await harness.store().repeatedEvents()).toBe(0);
    expect(await harness.fx.redis.scard(`${harness.fx.prefix}:recs:e2e-user-6:events`)).toBe(1);
  });

  const waitForAll = async (users: ReturnType<typeof signup>[]) => {
    const store = harness.store();
    await vi.waitFor(
      async () => {
        const lists = await Promise.all(users.map((u) => store.get(u.userId)));
        expect(lists.filter((l, i) => l?.eventId === users[i]!.eventId)).toHaveLength(users.length);
      },
      { timeout: 90_000, interval: 500 },
    );
    expect(await harness.failedJobs()).toEqual([]);
    
  };

  it('loses nothing when a pool gets SIGTERM with jobs in flight', async () => {
    const users = Array.from({ length: 60 }, (_, i) => signup(`e2e-term-${i}`, books[i % books.length]!));
    const recommend = harness.queue('recommend');
    await harness.publish(users);
    await vi.waitFor(async () => expect(await recommend.getActiveCount()).toBeGreaterThan(0), { timeout: 30_000, interval: 10 });
    await recommend.close();
    const terminated = harness.apps.get('worker-recommend')!;
    expect(await terminated.stop('SIGTERM')).toBe(0);
    expect(terminated.output()).toMatch(/shut down cleanly/);
    harness.start('worker-recommend');
    await waitForAll(users);
  });

  it('loses nothing when a pool is SIGKILLed with jobs in flight and started again', async () => {
    const users = Array.from({ length: 150 }, (_, i) => signup(`e2e-kill-${i}`, books[i % books.length]!));
    const embed = harness.queue('embed');
    await harness.publish(users);
    await vi.waitFor(async () => expect(await embed.getActiveCount()).toBeGreaterThan(0), { timeout: 30_000, interval: 5 });
    await harness.apps.get('worker-embed')!.stop('SIGKILL');
    // The killed worker's jobs hold locks until they lapse (JOB_LOCK_MS), then come back.
    const stranded = await embed.getActiveCount();
    await embed.close();
    // The kill really caught work in flight: jobs stay active until their locks lapse.
    expect(stranded).toBeGreaterThan(0);
    harness.start('worker-embed');
    await waitForAll(users);
  });
});
