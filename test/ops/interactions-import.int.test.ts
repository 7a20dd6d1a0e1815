import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userInteractionExample } from '@coldstart/events';
import { QueuePartitions } from '@coldstart/queues';
import { CatalogStore } from '@coldstart/store';
import { PartitionedQueue } from '../support/partitioned-queue.js';
import { OpsStack } from './ops-stack.js';

interface ImportReport {
  imported: number;
  duplicates: number;
  invalid: number;
  likes: number;
  failed: number;
}

const problemsOf = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { line: number; error: string });

/**
 * `coldstart interactions import` and `coldstart stats` against a real index pool (the single
 * writer, as a process): history goes through learn-interactions jobs into the behaviour log,
 * each row once however often it is imported, and stats reports what a replica can search and
 * how many likes the model holds. The pool and the CLI run with the queues in three partitions
 * (QUEUE_PARTITIONS), so the import's batches spread over them and it waits for each in its own
 * partition's events (one partition is the degenerate case, covered by the fold-on-stack and
 * bench-import tests).
 */
describe('coldstart interactions import and stats, queues in three partitions', () => {
  let stack: OpsStack;
  const PARTITIONS = { QUEUE_PARTITIONS: '3' };
  const cli = (args: readonly string[], input?: string) => stack.cli(args, PARTITIONS, input);
  const stats = async () => {
    const result = await cli(['stats', '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { items: number; interactions: number };
  };

  beforeAll(async () => {
    stack = await OpsStack.start();
    // The catalog before its writer starts (with no writer, no fencing token is needed): two live items, one deleted.
    const catalog = new CatalogStore(stack.fx.redis, stack.fx.prefix);
    const vector = Buffer.from(new Float32Array([1, 0]).buffer).toString('base64');
    for (const itemId of ['a', 'b', 'c']) {
      await catalog.upsert({ item: { itemId, title: itemId, authors: [], categories: [] }, occurredAt: '2026-01-01T00:00:00Z', eventId: `up-${itemId}`, encoder: 'e', dimension: 2, vector });
    }
    await catalog.delete({ itemId: 'c', occurredAt: '2026-01-02T00:00:00Z', eventId: 'del-c' });
    stack.startApp('worker-index', PARTITIONS);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('reports the catalog\'s searchable items and no interactions before any import', async () => {
    expect(await stats()).toEqual({ items: 2, interactions: 0 });
    const text = await cli(['stats']);
    expect(text.stdout).toMatch(/items\s+2/);
    expect(text.stdout).toMatch(/interactions\s+0/);
  });

  it('imports a CSV in batches, skips invalid rows by line number, and a second import changes nothing', async () => {
    // 2,400 rows over three batches: 60 readers × 40 books, ratings cycling through empty and 1–5.
    const ratings = ['', '1', '2', '3', '4', '5'];
    const rows: string[] = [];
    for (let user = 0; user < 60; user += 1) {
      for (let book = 0; book < 40; book += 1) rows.push(`reader-${user},book-${book},${ratings[(user + book) % 6]},2026-01-01T00:${String(book).padStart(2, '0')}:00Z`);
    }
    const likes = rows.filter((row) => /,(|4|5),2026/.test(row)).length;
    // The same like again, later: a repeat of the user's like of the item, not a second like.
    const repeat = 'reader-0,book-4,5,2026-02-01T00:00:00Z';
    const lines = ['userId,itemId,rating,occurredAt', ...rows.slice(0, 1_500), 'reader-x,book-1,9,', '', ...rows.slice(1_500), repeat, 'reader-y,,3,'];
    const file = join(stack.stateDir, 'history.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const first = await cli(['interactions', 'import', '--file', file, '--json']);
    expect(first.code, first.stderr + stack.logs()).toBe(1);
    expect(JSON.parse(first.stdout)).toEqual({ imported: rows.length, duplicates: 1, invalid: 2, likes, failed: 0 } satisfies ImportReport);
    expect(problemsOf(first.stderr)).toEqual([
      { line: 1_502, error: 'rating "9" must be an integer 1–5 or empty' },
      { line: lines.length, error: 'itemId must be 1–128 characters' },
    ]);
    expect(await stats()).toEqual({ items: 2, interactions: likes });
    // The import removes its completed batches, in whichever partition each went: a large backfill must not keep its rows in Redis for an hour.
    const index = new PartitionedQueue('index', stack.fx.redis, new QueuePartitions(stack.fx.prefix, 3));
    expect(await index.getCompletedCount()).toBe(0);
    await index.close();

    const again = await cli(['interactions', 'import', '--file', file, '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ imported: 0, duplicates: rows.length + 1, invalid: 2, likes: 0, failed: 0 } satisfies ImportReport);
    expect(await stats()).toEqual({ items: 2, interactions: likes });
  });

  it('imports JSON lines of user.interaction bodies from stdin, by their eventIds, and refuses other events', async () => {
    const bodies = Array.from({ length: 5 }, (_, i) => JSON.stringify({ ...userInteractionExample, eventId: `jsonl-${i}`, userId: 'jsonl-reader', itemId: `book-${i}`, rating: i === 0 ? 2 : null }));
    const input = [...bodies, JSON.stringify({ schemaVersion: 1, eventId: 'x', occurredAt: '2026-01-01T00:00:00Z', type: 'item.deleted', itemId: 'a' })].join('\n');
    const before = (await stats()).interactions;

    const first = await cli(['interactions', 'import', '--format', 'jsonl', '--json'], input);
    expect(JSON.parse(first.stdout)).toEqual({ imported: 5, duplicates: 0, invalid: 1, likes: 4, failed: 0 } satisfies ImportReport);
    expect(problemsOf(first.stderr)).toEqual([{ line: 6, error: 'is an event of type item.deleted; only user.interaction bodies are interactions' }]);
    const again = await cli(['interactions', 'import', '--format', 'jsonl', '--json'], bodies.join('\n'));
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ imported: 0, duplicates: 5, invalid: 0, likes: 0, failed: 0 } satisfies ImportReport);
    expect((await stats()).interactions).toBe(before + 4);
  });

  it('stops at a CSV header it cannot read, and asks for a format on stdin', async () => {
    const header = await cli(['interactions', 'import', '--format', 'csv'], 'user,item\nu,b\n');
    expect(header.code).toBe(1);
    expect(header.stderr).toMatch(/unknown column "user"/);
    const format = await cli(['interactions', 'import'], 'u,b\n');
    expect(format.code).toBe(1);
    expect(format.stderr).toMatch(/--format csv or --format jsonl/);
  });
});
