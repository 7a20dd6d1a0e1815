import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sleep } from '@coldstart/runtime';

const MAX_ENTRIES = 10;
/** SQS caps a batch's total payload at 1 MiB (and, before August 2025, 256 KiB): stay under the older cap. */
const MAX_BATCH_BYTES = 250 * 1024;
const ATTEMPTS = 5;

/** A body SQS still refused after every attempt: its place in the input and SQS's reason. */
export interface UnsentBody {
  index: number;
  reason: string;
}

/**
 * Sends bodies in batches of up to 10 (within the batch size cap), retrying the entries SQS
 * reports as failed (a batch call succeeds even when some of its entries do not). Returns the
 * bodies still refused after the last attempt, so a caller can report each one; a call that
 * throws (after the SDK's own retries) rejects.
 */
export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<UnsentBody[]> {
  const unsent: UnsentBody[] = [];
  const flush = async (indexes: number[]) => {
    let pending = indexes.map((index) => ({ Id: String(index), MessageBody: bodies[index] as string }));
    let reasons = new Map<string, string>();
    for (let attempt = 0; pending.length > 0 && attempt < ATTEMPTS; attempt += 1) {
      if (attempt > 0) await sleep(100 * 2 ** attempt);
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      reasons = new Map((result.Failed ?? []).map((entry) => [entry.Id ?? '', `${entry.Code ?? 'failed'}: ${entry.Message ?? 'no message'}`]));
      pending = pending.filter((entry) => reasons.has(entry.Id));
    }
    for (const entry of pending) unsent.push({ index: Number(entry.Id), reason: reasons.get(entry.Id) ?? 'failed' });
  };
  let batch: number[] = [];
  let bytes = 0;
  for (const [index, body] of bodies.entries()) {
    const size = Buffer.byteLength(body);
    if (batch.length === MAX_ENTRIES || (batch.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      await flush(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(index);
    bytes += size;
  }
  if (batch.length > 0) await flush(batch);
  return unsent;
}

/** Sends every body or throws, naming how many were not sent, so a caller never believes an unsent event was sent. */
export async function publishBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<void> {
  const unsent = await sendBodies(sqs, queueUrl, bodies);
  if (unsent.length > 0) throw new Error(`${unsent.length} messages could not be sent to ${queueUrl} (first: ${unsent[0]?.reason})`);
}
