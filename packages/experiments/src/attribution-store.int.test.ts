import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisFixture, type RedisFixture } from '@coldstart/testing';
import { AttributionStore, hourOf, reasonKindOf, type ServedList } from './attribution-store.js';

const NOW = Date.parse('2026-12-06T10:30:00Z');
const settings = { windowSeconds: 3_600, retentionDays: 1, positiveRating: 4 };

const served = (userId: string, recommendationId: string, variant: string, items: [string, string][], generatedAt = '2026-12-06T10:00:00Z'): ServedList => ({
  userId,
  recommendationId,
  generatedAt,
  expansion: { expander: variant === 'seed-only' ? 'seed-only' : 'catalog', variant, experiment: 'exp' },
  encoder: 'wink-glove-100d',
  items: items.map(([itemId, reasonKind]) => ({ itemId, reason: reasonKind, reasonKind })),
});

describe('AttributionStore', () => {
  let fx: RedisFixture;
  let store: AttributionStore;
  beforeEach(async () => {
    fx = await createRedisFixture();
    store = new AttributionStore(fx.redis, fx.prefix, settings);
  });
  afterEach(() => fx.cleanup());

  const variant = async (name: string) => (await store.counts('exp', NOW, NOW)).variants.find((v) => v.variant === name);

  it('counts a list version once however often it is served, and its slots by reason kind', async () => {
    const list = served('u1', 'rec_a', 'catalog', [['i1', 'topic'], ['i2', 'also-liked'], ['i3', 'topic']]);
    expect(await store.recordImpression(list, NOW)).toEqual({
      userId: 'u1',
      experiment: 'exp',
      variant: 'catalog',
      expander: 'catalog',
      encoder: 'wink-glove-100d',
      hour: hourOf(NOW),
      items: [['i1', 'topic'], ['i2', 'also-liked'], ['i3', 'topic']],
    });
    expect(await store.recordImpression(list, NOW + 1_000)).toBeUndefined();
    const counts = await variant('catalog');
    expect(counts).toMatchObject({ units: 1, lists: 1, listsSq: 1, users: 1, clicks: 0 });
    expect(counts?.kinds).toEqual({ topic: { slots: 2, clicks: 0, positives: 0 }, 'also-liked': { slots: 1, clicks: 0, positives: 0 } });
    expect(await store.experiments()).toEqual(['exp']);
  });

  it('credits an interaction to the list its recommendationId names, exactly once per eventId', async () => {
    await store.recordImpression(served('u1', 'rec_a', 'catalog', [['i1', 'topic'], ['i2', 'also-liked']]), NOW);
    const click = { eventId: 'ev1', userId: 'u1', itemId: 'i2', rating: 5, recommendationId: 'rec_a' };
    expect(await store.attribute(click)).toMatchObject({ outcome: 'attributed', kind: 'also-liked', positive: true, record: { variant: 'catalog', experiment: 'exp' } });
    expect(await store.attribute(click)).toEqual({ outcome: 'duplicate' });
    expect(await store.attribute({ ...click, eventId: 'ev2', itemId: 'i1', rating: 2 })).toMatchObject({ outcome: 'attributed', kind: 'topic', positive: false });
    const counts = await variant('catalog');
    // One unit with l=1, c=2, p=1.
    expect(counts).toMatchObject({ units: 1, lists: 1, clicks: 2, positives: 1, clicksSq: 4, positivesSq: 1, listsClicks: 2, listsPositives: 1 });
    expect(counts?.kinds['also-liked']).toEqual({ slots: 1, clicks: 1, positives: 1 });
    expect(counts?.kinds.topic).toEqual({ slots: 1, clicks: 1, positives: 0 });
  });

  it('without a recommendationId, credits the user’s newest served list; other cases are not credited', async () => {
    await store.recordImpression(served('u1', 'rec_old', 'catalog', [['i1', 'topic']], '2026-12-06T09:00:00Z'), NOW);
    await store.recordImpression(served('u1', 'rec_new', 'catalog', [['i2', 'topic']], '2026-12-06T10:00:00Z'), NOW);
    // Serving the older version again (a slow concurrent read) does not make it the newest.
    await store.recordImpression(served('u1', 'rec_old', 'catalog', [['i1', 'topic']], '2026-12-06T09:00:00Z'), NOW);
    expect(await store.attribute({ eventId: 'e1', userId: 'u1', itemId: 'i2' })).toMatchObject({ outcome: 'attributed', positive: true });
    expect(await store.attribute({ eventId: 'e2', userId: 'u1', itemId: 'i1' })).toEqual({ outcome: 'not-in-list' });
    expect(await store.attribute({ eventId: 'e3', userId: 'u2', itemId: 'i1', recommendationId: 'rec_old' })).toEqual({ outcome: 'other-user' });
    expect(await store.attribute({ eventId: 'e4', userId: 'u1', itemId: 'i1', recommendationId: 'rec_never_served' })).toEqual({ outcome: 'no-list' });
    expect(await store.attribute({ eventId: 'e5', userId: 'u9', itemId: 'i1' })).toEqual({ outcome: 'no-list' });
    expect((await variant('catalog'))?.clicks).toBe(1);
  });

  it('keeps the moments per user-hour and the users per variant', async () => {
    // u1 sees two lists and clicks once on each; u2 sees one list in the other variant.
    await store.recordImpression(served('u1', 'r1', 'catalog', [['i1', 'topic']]), NOW);
    await store.attribute({ eventId: 'a', userId: 'u1', itemId: 'i1', recommendationId: 'r1' });
    await store.recordImpression(served('u1', 'r2', 'catalog', [['i2', 'topic']], '2026-12-06T10:10:00Z'), NOW);
    await store.attribute({ eventId: 'b', userId: 'u1', itemId: 'i2', recommendationId: 'r2' });
    await store.recordImpression(served('u2', 'r3', 'seed-only', [['i1', 'seed']]), NOW);
    // l=2, c=2 in one unit: Σl²=4, Σc²=4, Σlc=4 however the impressions and clicks interleave.
    expect(await variant('catalog')).toMatchObject({ units: 1, users: 1, lists: 2, clicks: 2, listsSq: 4, clicksSq: 4, listsClicks: 4 });
    expect(await variant('seed-only')).toMatchObject({ units: 1, users: 1, lists: 1, clicks: 0 });
    // Another hour is another unit, and outside a window that ends before it.
    await store.recordImpression(served('u1', 'r4', 'catalog', [['i3', 'topic']]), NOW + 3_600_000);
    expect(await variant('catalog')).toMatchObject({ units: 1, lists: 2 });
    const both = (await store.counts('exp', NOW, NOW + 3_600_000)).variants.find((v) => v.variant === 'catalog');
    expect(both).toMatchObject({ units: 2, lists: 3, users: 1 });
    expect((await store.counts('exp', NOW, NOW)).since).toBe(new Date(hourOf(NOW) * 3_600_000).toISOString());
  });

  it('reads the reason kind off the label for lists stored before they carried it', () => {
    expect(reasonKindOf({ reason: 'also-liked:123' })).toBe('also-liked');
    expect(reasonKindOf({ reason: 'new-in:gardening' })).toBe('new-in');
    expect(reasonKindOf({ reason: 'exploring' })).toBe('exploring');
    expect(reasonKindOf({ reason: 'popular' })).toBe('popular');
    expect(reasonKindOf({ reason: 'victorian ghost stories' })).toBe('topic');
    expect(reasonKindOf({ reason: 'seed:' })).toBe('topic');
  });
});
