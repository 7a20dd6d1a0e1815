import { DelayedError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '@coldstart/queues';
import { settleEach } from './settle-each.js';

/** settleEach over entries whose work fails with `failures[entry]`, recording what was split off. */
async function run(entries: string[], failures: Record<string, Error> = {}) {
  const split: string[] = [];
  const result = await settleEach(
    'test-job',
    entries,
    async (entry) => {
      const failure = failures[entry];
      if (failure) throw failure;
      return entry.toUpperCase();
    },
    async (entry, error) => {
      split.push(`${entry}: ${(error as Error).message}`);
    },
  );
  return { done: result.map(({ entry, result: value }) => `${entry}=${value}`), split };
}

describe('settleEach', () => {
  it('returns every result when nothing fails', async () => {
    expect(await run(['a', 'b'])).toEqual({ done: ['a=A', 'b=B'], split: [] });
  });

  it('splits off the entries that failed and keeps the others’ results', async () => {
    expect(await run(['a', 'b', 'c'], { b: new Error('seed not indexed yet') })).toEqual({ done: ['a=A', 'c=C'], split: ['b: seed not indexed yet'] });
    expect(await run(['a', 'b'], { b: new PermanentError('nothing to recommend from') })).toEqual({ done: ['a=A'], split: ['b: nothing to recommend from'] });
  });

  it('throws for a batch of one, as a job of one entry always did', async () => {
    await expect(run(['a'], { a: new PermanentError('bad vector') })).rejects.toThrow('bad vector');
  });

  it('throws when every entry failed and none for good: a shared cause the job’s retry may outlast', async () => {
    await expect(run(['a', 'b'], { a: new Error('index empty'), b: new Error('index empty too') })).rejects.toThrow('index empty');
  });

  it('splits every entry off when all failed and one of them for good, so the others are not failed with it', async () => {
    expect(await run(['a', 'b'], { a: new PermanentError('bad'), b: new Error('not yet') })).toEqual({ done: [], split: ['a: bad', 'b: not yet'] });
  });

  it('passes a queue signal (rate limited, delayed) through for the whole job', async () => {
    const delayed = new DelayedError();
    await expect(run(['a', 'b'], { b: delayed })).rejects.toBe(delayed);
  });
});
