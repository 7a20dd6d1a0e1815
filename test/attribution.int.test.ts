import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UserInteraction } from '@coldstart/events';
import { AttributionStore } from '@coldstart/experiments';
import { storeKeys } from '@coldstart/store';
import { loadFold, type Book } from '@coldstart/goodbooks';
import { PipelineHarness } from './support/pipeline-harness.js';
import { signup } from './support/book-events.js';
import { chromium } from './support/chromium.js';

/**
 * Attribution on real parts: lists read through the API process are recorded as served, and
 * user.interaction events on SQS carrying their recommendationId are credited to the list's
 * variant and reason kind by the recommend pool, exactly once each, through redelivered events
 * and a SIGKILL of the attributing pool mid-stream.
 */
describe('attribution, every app its own process', () => {
  let harness: PipelineHarness;
  let books: Book[];
  let counter = 0;

  beforeAll(async () => {
    harness = await PipelineHarness.start();
    books = (await loadFold('a')).books.slice(0, 120);
    await harness.publish(books.map((book) => ({
      schemaVersion: 1 as const,
      type: 'item.upserted' as const,
      eventId: `attr-item-${book.bookId}`,
      occurredAt: new Date().toISOString(),
      itemId: String(book.bookId),
      title: book.title,
      authors: book.authors,
      categories: [...new Set([...book.genres, ...book.tags])],
    })));
    await harness.waitForCatalog(books.length, 60_000);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const clickOn = (userId: string, itemId: string, rating: number | undefined, recommendationId: string | undefined): UserInteraction => ({
    schemaVersion: 1,
    type: 'user.interaction',
    eventId: `attr-click-${++counter}`,
    occurredAt: new Date().toISOString(),
    userId,
    itemId,
    ...(rating !== undefined ? { rating } : {}),
    ...(recommendationId !== undefined ? { recommendationId } : {}),
  });

  it('credits each interaction with a served list exactly once, through redeliveries and a SIGKILL of the recommend pool', async () => {
    const signups = Array.from({ length: 30 }, (_, i) => signup(`attr-user-${i}`, books[i * 3]!));
    await harness.publish(signups);
    await harness.waitForLists(signups, 90_000, 250);

    // Each list is read through the API (the impression), then three of its items are
    // interacted with: rated 5, rated 2 (not positive) and unrated (positive); a fourth
    // interaction is with an item that was not in the list.
    const clicks: UserInteraction[] = [];
    for (const { userId } of signups) {
      const { status, body } = await harness.recommendations(userId);
      expect(status).toBe(200);
      expect(body.recommendationId).toMatch(/^rec_[0-9a-f]{24}$/);
      const [first, second, third] = body.items as { itemId: string; reasonKind: string }[];
      clicks.push(clickOn(userId, first!.itemId, 5, body.recommendationId));
      clicks.push(clickOn(userId, second!.itemId, 2, body.recommendationId));
      clicks.push(clickOn(userId, third!.itemId, undefined, undefined));
      const outside = books.find((b) => !body.items.some((item: { itemId: string }) => item.itemId === String(b.bookId)))!;
      clicks.push(clickOn(userId, String(outside.bookId), 5, body.recommendationId));
    }
    // Reading a list again is not another impression.
    await harness.recommendations(signups[0]!.userId);

    // Every event twice (SQS delivers at least once), and the recommend pool killed while
    // attribute jobs are in flight: their locks lapse and they run again after the restart.
    await harness.publish([...clicks, ...clicks]);
    const recommend = harness.queue('recommend');
    await vi.waitFor(async () => expect(await recommend.getActiveCount()).toBeGreaterThan(0), { timeout: 30_000, interval: 5 });
    await harness.apps.get('worker-recommend')!.stop('SIGKILL');
    harness.start('worker-recommend');
    await vi.waitFor(
      async () => {
        const done = await recommend.getJobs(['completed'], 0, -1);
        expect(done.filter((job) => job.name === 'attribute-interaction').length).toBe(clicks.length);
      },
      { timeout: 90_000, interval: 500 },
    );
    await recommend.close();

    const store = new AttributionStore(harness.fx.redis, harness.fx.prefix, { windowSeconds: 86_400, retentionDays: 90, positiveRating: 4 });
    const counts = await store.counts('expansion', Date.now() - 3_600_000, Date.now());
    expect(counts.variants.map((v) => v.variant)).toEqual(['default']);
    const [variant] = counts.variants;
    // 30 users × 3 in-list interactions (the unrated one credited to the newest served list), 2 of them positive.
    expect(variant).toMatchObject({ users: signups.length, lists: signups.length, clicks: 90, positives: 60 });
    const kindClicks = Object.values(variant!.kinds).reduce((sum, k) => sum + k.clicks, 0);
    const kindSlots = Object.values(variant!.kinds).reduce((sum, k) => sum + k.slots, 0);
    expect(kindClicks).toBe(90);
    expect(kindSlots).toBe(signups.length * 20);

    // The API's counters say the same about impressions.
    const metrics = await (await fetch(`${harness.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`coldstart_experiment_lists_served_total\\{experiment="expansion",variant="default"\\} ${signups.length}\\b`));

    // The dashboard's experiments panel, opened in a browser with the API token (the ?token= login).
    const dom = await chromium(['--dump-dom', `${harness.apiUrl}/admin/queues/experiments?token=${harness.env.API_TOKEN}`]);
    expect(dom).toMatch(/data-experiments="1" data-variants="1"/);
    const row = /<tr data-variant="default">(.*?)<\/tr>/s.exec(dom)?.[1] ?? '';
    const cells = [...row.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells.slice(0, 5)).toEqual(['default', String(signups.length), String(signups.length), '90', '60']);
  });

  it('rebuilds the list even when the interaction cannot be attributed (an unreadable served record)', async () => {
    const user = signup('attr-broken-user', books[100]!);
    await harness.publish([user]);
    await harness.waitForLists([user], 60_000, 250);
    const { body } = await harness.recommendations(user.userId);
    await harness.fx.redis.set(storeKeys(harness.fx.prefix).servedList(body.recommendationId), '{not json');
    const click = clickOn(user.userId, body.items[0].itemId, 5, body.recommendationId);
    await harness.publish([click]);
    await vi.waitFor(async () => expect((await harness.store().get(user.userId))?.eventId).toBe(click.eventId), { timeout: 30_000, interval: 200 });
    const failed = await harness.failedJobs();
    expect(failed).toEqual([{ queue: 'recommend', reason: expect.stringMatching(/unreadable record/) }]);
  });
});
