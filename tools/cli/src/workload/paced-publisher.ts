import type { SQSClient } from '@aws-sdk/client-sqs';
import { publishBodies } from '@coldstart/aws';
import { sleep } from '@coldstart/runtime';

/**
 * Sends `bodies` to SQS at `perSecond` (all at once when undefined) and returns when each was
 * sent (ms since the epoch, taken just before its batch went out, so a time measured from it
 * includes the send). Paced arrivals are what a live signup stream looks like; a burst measures
 * backlog instead, and the time to recommendations then mostly says where in the queue a user was.
 */
export async function publishPaced(sqs: SQSClient, queueUrl: string, bodies: readonly string[], perSecond: number | undefined, stop?: AbortSignal): Promise<number[]> {
  const sentAt: number[] = new Array<number>(bodies.length).fill(0);
  const started = Date.now();
  let next = 0;
  while (next < bodies.length && !stop?.aborted) {
    const due = perSecond === undefined ? bodies.length : Math.min(bodies.length, Math.floor(((Date.now() - started) / 1000) * perSecond) + 1);
    if (due <= next) {
      await sleep(20);
      continue;
    }
    // Four batches of 10 in flight keep a burst from being paced by SQS round trips.
    const chunks: [number, number][] = [];
    for (let from = next; from < due; from += 10) chunks.push([from, Math.min(due, from + 10)]);
    for (let i = 0; i < chunks.length; i += 4) {
      await Promise.all(
        chunks.slice(i, i + 4).map(async ([from, to]) => {
          const at = Date.now();
          await publishBodies(sqs, queueUrl, bodies.slice(from, to));
          sentAt.fill(at, from, to);
        }),
      );
    }
    next = due;
  }
  return sentAt;
}
