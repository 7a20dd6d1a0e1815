import type { SendMessageBatchCommand, SendMessageBatchCommandOutput, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { publishBodies, sendBodies } from './publish.js';

/** An SQS client whose SendMessageBatch refuses the entries `refuse` names (by body) on each call. */
function fakeSqs(refuse: (body: string, call: number) => boolean) {
  const calls: string[][] = [];
  const sqs = {
    send: (command: SendMessageBatchCommand): Promise<Partial<SendMessageBatchCommandOutput>> => {
      const entries = command.input.Entries ?? [];
      const call = calls.push(entries.map((e) => e.MessageBody ?? ''));
      const refused = entries.filter((e) => refuse(e.MessageBody ?? '', call));
      return Promise.resolve({
        Successful: entries.filter((e) => !refused.includes(e)).map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: '' })),
        Failed: refused.map((e) => ({ Id: e.Id, Code: 'InternalError', Message: 'try again', SenderFault: false })),
      });
    },
  } as unknown as SQSClient;
  return { sqs, calls };
}

describe('sendBodies', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends batches of 10 and retries only the entries SQS reported as failed', async () => {
    vi.useFakeTimers();
    const bodies = Array.from({ length: 23 }, (_, i) => `body-${i}`);
    const { sqs, calls } = fakeSqs((body, call) => call === 1 && (body === 'body-3' || body === 'body-7'));
    const sending = sendBodies(sqs, 'url', bodies);
    await vi.runAllTimersAsync();
    expect(await sending).toEqual([]);
    expect(calls.map((c) => c.length)).toEqual([10, 2, 10, 3]);
    expect(calls[1]).toEqual(['body-3', 'body-7']);
  });

  it('returns what is still refused after the last attempt, by its place in the input, and publishBodies throws on it', async () => {
    vi.useFakeTimers();
    const { sqs, calls } = fakeSqs((body) => body === 'b');
    const sending = sendBodies(sqs, 'url', ['a', 'b', 'c']);
    await vi.runAllTimersAsync();
    expect(await sending).toEqual([{ index: 1, reason: 'InternalError: try again' }]);
    expect(calls).toHaveLength(5);

    const publishing = publishBodies(sqs, 'url', ['b']);
    const rejected = expect(publishing).rejects.toThrow(/1 messages could not be sent to url \(first: InternalError: try again\)/);
    await vi.runAllTimersAsync();
    await rejected;
  });

  it('keeps a batch under the size cap', async () => {
    const big = 'x'.repeat(100 * 1024);
    const { sqs, calls } = fakeSqs(() => false);
    expect(await sendBodies(sqs, 'url', [big, big, big, 'small'])).toEqual([]);
    expect(calls.map((c) => c.length)).toEqual([2, 2]);
  });
});
