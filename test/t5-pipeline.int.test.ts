import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadFold, type Book } from '@coldstart/goodbooks';
import { PipelineHarness } from './support/pipeline-harness.js';
import { signup, upserted } from './support/book-events.js';

/**
 * The ONNX path end to end: the embed pool runs a T5-architecture encoder (the tiny fixture,
 * generated on first use) through onnxruntime-node, and its vectors reach the FAISS replica
 * and the stored list, in an index of their own.
 */
describe('pipeline with the T5 encoder on onnxruntime-node', () => {
  let harness: PipelineHarness;
  let books: Book[];
  let modelsDir: string;

  beforeAll(async () => {
    modelsDir = mkdtempSync(join(tmpdir(), 'coldstart-models-'));
    harness = await PipelineHarness.start({ ENCODER: 't5-tiny-fixture', COLDSTART_MODELS_DIR: modelsDir });
    books = (await loadFold('b')).books.slice(0, 80);
    await harness.publish(books.map(upserted));
    await harness.waitForCatalog(books.length, 60_000);
  });

  afterAll(async () => {
    await harness?.stop();
    rmSync(modelsDir, { recursive: true, force: true });
  });

  it('serves a signup from T5 vectors, recorded as such in the list and the index', async () => {
    const event = signup('t5-user-1', books[5]!);
    await harness.publish([event]);
    let list: any;
    await vi.waitFor(
      async () => {
        const response = await harness.recommendations('t5-user-1');
        expect(response.status).toBe(200);
        list = response.body;
      },
      { timeout: 60_000, interval: 200 },
    );
    expect(list.encoder).toBe('t5-tiny-fixture');
    expect(list.items.length).toBeGreaterThanOrEqual(10);
    // A topic, or the seed item itself, brought each item.
    for (const item of list.items) expect([...list.topics, `seed:${books[5]!.bookId}`]).toContain(item.reason);
    expect(await harness.indexLog().indexNames()).toEqual(['t5-tiny-fixture']);
    const wal = await harness.indexLog().readWal('t5-tiny-fixture', '0', 1);
    expect(wal[0]).toMatchObject({ op: 'upsert', encoder: 't5-tiny-fixture', dimension: 32 });
    expect(await harness.failedJobs()).toEqual([]);
  });
});
