import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sleep } from '@coldstart/runtime';

const MAX_ENTRIES = 10;
/** SQS caps a batch's total payload at 1 MiB (and, before August 2025, 256 KiB): stay under the older cap. */
const MAX_BATCH_BYTES = 250 * 1024;

/**
 * Sends bodies in batches of up to 10, retrying entries SQS reports as failed; throws if any
 * entry still fails, naming how many, so a caller never believes an unsent event was sent.
 */
export async function publishBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<void> {
  let batch: string[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    let pending = batch.map((body, index) => ({ Id: String(index), MessageBody: body }));
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt === 5) throw new Error(`${pending.length} messages could not be sent to ${queueUrl}`);
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
      pending = pending.filter((entry) => failed.has(entry.Id));
      if (pending.length > 0) await sleep(100 * 2 ** attempt);
    }
    batch = [];
    bytes = 0;
  };
  for (const body of bodies) {
    const size = Buffer.byteLength(body);
    if (batch.length === MAX_ENTRIES || (batch.length > 0 && bytes + size > MAX_BATCH_BYTES)) await flush();
    batch.push(body);
    bytes += size;
  }
  await flush();
}
