import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BehaviourLog } from '@coldstart/behaviour';
import { loadEncoder } from '@coldstart/embeddings';
import type { UserSignup } from '@coldstart/events';
import { loadFold, type Fold } from '@coldstart/goodbooks';
import { pipelineHops } from '@coldstart/pipeline';
import { QueuePartitions } from '@coldstart/queues';
import { TEST_REDIS_URL } from '@coldstart/testing';
import { EvalCatalog } from '../tools/cli/src/eval/eval-catalog.ts';
import { isPositive, splitFold, type EvalCase, type EvalSplit } from '../tools/cli/src/eval/eval-protocol.ts';
import { runEval, type DumpLine } from '../tools/cli/src/eval/run-eval.ts';
import { itemEvent } from '../tools/cli/src/workload/demo-events.ts';
import { PipelineHarness } from './support/pipeline-harness.js';

/**
 * What `coldstart eval` measures is what the running system serves. A real stack (the SQS
 * emulator, Redis, every pool and the read API) gets fold c's catalog through SQS, the training
 * users' ratings through the learn-interactions hop `interactions import` uses, and the first
 * test users' signups one at a time; each list read back from the API must be exactly the list
 * `eval --dump` gives that user. Goodbooks has no timestamps, so the ratings and signups all
 * carry eval's one instant (no like decays against another).
 */
const USERS = 20;
const PIPELINE = 'catalog × wink-glove-100d';
const RATED_AT = '2017-01-01T00:00:00.000Z';

describe('served lists equal eval --dump', () => {
  let harness: PipelineHarness;
  let fold: Fold;
  let split: EvalSplit;
  let cases: EvalCase[];
  let dump: DumpLine[];

  beforeAll(async () => {
    fold = await loadFold('c');
    split = splitFold(fold, { seed: 42, protocol: 'cold-start' });
    cases = split.cases.slice(0, USERS);
    ({ dump } = await runEval({ fold: 'c', k: 10, users: USERS, expanders: ['catalog'], encoders: ['wink-glove-100d'], seed: 42, protocol: 'cold-start', redisUrl: TEST_REDIS_URL }));
    harness = await PipelineHarness.start();
  }, 600_000);

  afterAll(async () => {
    await harness?.stop();
  });

  it('serves every sampled test user exactly the pipeline list eval reports for them', async () => {
    // The catalog: every book the encoder can embed ends up in the index, as in eval.
    const embedded = await new EvalCatalog(fold.books).embed('wink-glove-100d', await loadEncoder('wink-glove-100d'));
    await harness.publish(fold.books.map((book) => itemEvent(book, 'parity', RATED_AT)));
    await harness.waitForCatalog(embedded.vectors.size, 180_000);

    // The training users' history, in file order, through the single writer.
    const hops = pipelineHops(harness.fx.redis, new QueuePartitions(harness.fx.prefix));
    for (let start = 0; start < split.training.length; start += 1_000) {
      const interactions = split.training.slice(start, start + 1_000).map((r) => ({
        eventId: `train:${r.userId}:${r.bookId}`,
        userId: String(r.userId),
        itemId: String(r.bookId),
        ...(r.rating !== undefined ? { rating: r.rating } : {}),
        occurredAt: RATED_AT,
      }));
      await hops.learnHistory({ eventId: `parity-train-${start}`, interactions });
    }
    const likes = split.training.filter(isPositive).length;
    const log = new BehaviourLog(harness.fx.redis, harness.fx.prefix);
    await vi.waitFor(async () => expect(await log.likes()).toBe(likes), { timeout: 180_000, interval: 500 });

    // Signups one at a time: each learns its seed before its list is ranked, as eval does in case order.
    for (const user of cases) {
      const seed = user.seed;
      if (!seed) throw new Error(`cold-start case ${user.userId} has no seed`);
      const signup: UserSignup = {
        schemaVersion: 1,
        type: 'user.signup',
        eventId: `parity-signup-${user.userId}`,
        occurredAt: RATED_AT,
        userId: `test:${user.userId}`,
        interests: {
          ...(user.category ? { categories: [user.category] } : {}),
          items: [{ itemId: String(seed.book.bookId), ...(seed.rating !== undefined ? { rating: seed.rating } : {}) }],
        },
        locale: 'en',
      };
      await harness.publish([signup]);
      await harness.waitForLists([signup], 60_000, 100);
    }

    const mismatches: string[] = [];
    for (const user of cases) {
      const expected = dump.find((line) => line.system === PIPELINE && line.userId === user.userId)?.items.map(String);
      const { status, body } = await harness.recommendations(`test:${user.userId}`);
      expect(status).toBe(200);
      const served = (body.items as { itemId: string }[]).slice(0, 10).map((item) => item.itemId);
      if (JSON.stringify(served) !== JSON.stringify(expected)) mismatches.push(`user ${user.userId}: served ${served.join(',')} / eval ${expected?.join(',')}`);
    }
    expect(mismatches).toEqual([]);
  }, 600_000);
});
