import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BehaviourLog } from '@coldstart/behaviour';
import type { ItemUpserted, UserSignup } from '@coldstart/events';
import { pipelineHops } from '@coldstart/pipeline';
import { QueuePartitions } from '@coldstart/queues';
import { seededRandom } from '@coldstart/runtime';
import { PipelineHarness } from './support/pipeline-harness.js';

/**
 * A brand-new item reaches a served list through placement alone. On a real stack (SQS
 * emulator, Redis, every pool, FAISS replicas, the word-vector encoder) two shelves of books
 * are read by two crowds: dragon fantasy and detective mysteries. Once the recommend pool has
 * fitted its content → behaviour placement on that behaviour, a new dragon book nobody has
 * touched is upserted; a user who signs up with a dragon book must get it, as a predicted
 * "readers of your book also liked" neighbour. Exploration is off, so nothing else could have
 * put it there.
 */
const FANTASY = ['Dragon', 'Wizard', 'Sorcerer', 'Enchanted', 'Kingdom', 'Sword', 'Elven', 'Magic', 'Quest', 'Spell'];
const MYSTERY = ['Detective', 'Murder', 'Inspector', 'Crime', 'Alibi', 'Suspect', 'Clue', 'Homicide', 'Witness', 'Evidence'];
const OLD = '2020-01-01T00:00:00.000Z';

function book(itemId: string, title: string, categories: string[], occurredAt = OLD): ItemUpserted {
  return { schemaVersion: 1, type: 'item.upserted', eventId: `placement-${itemId}`, occurredAt, itemId, title, authors: [], categories };
}

const shelf = (prefix: string, words: string[], categories: string[]) =>
  words.flatMap((word, i) => [book(`${prefix}-${i}a`, `The ${word} Saga`, categories), book(`${prefix}-${i}b`, `${word} Rising`, categories)]);

function signup(userId: string, seed: string): UserSignup {
  return { schemaVersion: 1, type: 'user.signup', eventId: `placement-signup-${userId}`, occurredAt: new Date().toISOString(), userId, interests: { items: [{ itemId: seed, rating: 5 }] } };
}

describe('content → behaviour placement in the running pool', () => {
  let harness: PipelineHarness;

  beforeAll(async () => {
    harness = await PipelineHarness.start({ RANK_EXPLORATION_WEIGHT: '0' });
  }, 120_000);

  afterAll(async () => {
    await harness?.stop();
  });

  it('serves a new item nobody has touched to the readers its content places it among', async () => {
    const fantasy = shelf('fantasy', FANTASY, ['fantasy', 'dragons', 'magic']);
    const mystery = shelf('mystery', MYSTERY, ['mystery', 'crime', 'detective']);
    await harness.publish([...fantasy, ...mystery]);
    await harness.waitForCatalog(fantasy.length + mystery.length, 120_000);

    // Each crowd reads within its shelf: 30 readers, 12 books each, seeded.
    const random = seededRandom(7);
    const interactions = [fantasy, mystery].flatMap((items, crowd) =>
      Array.from({ length: 30 }, (_, reader) => {
        const picked = [...items].sort(() => random() - 0.5).slice(0, 12);
        return picked.map((item) => ({ eventId: `read-${crowd}-${reader}-${item.itemId}`, userId: `reader-${crowd}-${reader}`, itemId: item.itemId, rating: 5, occurredAt: OLD }));
      }),
    ).flat();
    const hops = pipelineHops(harness.fx.redis, new QueuePartitions(harness.fx.prefix));
    await hops.learnHistory({ eventId: 'placement-history', interactions });
    const log = new BehaviourLog(harness.fx.redis, harness.fx.prefix);
    await vi.waitFor(async () => expect(await log.likes()).toBe(interactions.length), { timeout: 60_000, interval: 250 });
    const recommend = harness.apps.get('worker-recommend');
    await vi.waitFor(() => expect(recommend?.output()).toContain('placement fitted'), { timeout: 60_000, interval: 250 });

    const newBook = book('fantasy-new', 'Dragon Sorcerer Quest', ['fantasy', 'dragons', 'magic'], new Date().toISOString());
    await harness.publish([newBook]);
    await harness.waitForCatalog(fantasy.length + mystery.length + 1, 60_000);

    const reader = signup('placement-reader', 'fantasy-0a');
    await harness.publish([reader]);
    const lists = await harness.waitForLists([reader], 60_000, 200);
    const list = lists.get(reader.userId);
    expect(list?.placementVersion).toMatch(/^[0-9a-f]{12}$/);
    const served = list?.items.find((item) => item.itemId === newBook.itemId);
    expect(served, JSON.stringify(list?.items.map((i) => `${i.itemId} ${i.reason}`))).toBeDefined();
    expect(served?.reason).toBe('also-liked:fantasy-0a');
    // Nobody has interacted with it: it is there by its predicted place alone.
    const entries = await log.read('0', 10_000);
    expect(entries.filter(({ entry }) => entry.itemId === newBook.itemId)).toEqual([]);
  }, 300_000);
});
