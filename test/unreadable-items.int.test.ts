import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemUpserted } from '@coldstart/events';
import { WalReplica } from '@coldstart/index-log';
import { PipelineHarness } from './support/pipeline-harness.js';

const item = (itemId: string, title: string, categories: string[] = []): ItemUpserted => ({
  schemaVersion: 1,
  type: 'item.upserted',
  eventId: `unreadable-${itemId}`,
  occurredAt: '2026-01-01T00:00:00Z',
  itemId,
  title,
  ...(categories.length > 0 ? { categories } : {}),
});

/**
 * A valid item is always indexed, whatever its text: titles in scripts the word vectors do not
 * know, or of numbers and symbols alone, go through the real ingest, embed and index pools and
 * become searchable, with a fallback vector the embed pool counts and logs.
 */
describe('items the encoder cannot read', () => {
  let harness: PipelineHarness;
  beforeAll(async () => {
    harness = await PipelineHarness.start();
  }, 120_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it('are indexed and searchable like any other', async () => {
    const unreadable = [item('ar-1', 'ثلاثية غرناطة'), item('ja-1', 'ノルウェイの森'), item('sym-1', '¡¿!?'), item('num-1', '٢٠٠٨')];
    const readable = [item('en-1', 'The Kite Runner', ['historical-fiction']), item('en-2', 'A Thousand Splendid Suns', ['historical-fiction'])];
    await harness.publish([...readable, ...unreadable]);
    await harness.waitForCatalog(readable.length + unreadable.length, 90_000);

    const [index] = await harness.indexLog().indexNames();
    const replica = new WalReplica(harness.indexLog(), index!);
    await replica.catchUp();
    for (const { itemId } of unreadable) {
      expect(replica.index?.has(itemId)).toBe(true);
      const vector = replica.index?.vector(itemId);
      expect(replica.index?.search(vector!, 1)[0]?.id).toBe(itemId);
    }
    const metrics = await (await fetch(`${harness.opsUrl('worker-embed')}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`coldstart_embed_item_fallbacks_total\\{encoder="${index}",reason="no-known-word"\\} 4`));
    expect(harness.apps.get('worker-embed')?.output()).toMatch(/indexed with a vector hashed from its text/);
    expect(await harness.failedJobs()).toEqual([]);
  }, 120_000);
});
