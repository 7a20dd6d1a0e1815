import type { Encoder } from './encoder.js';

export interface MicroBatchOptions {
  /** Texts per encoder run at most. */
  maxBatch: number;
  /** How long the first request of a batch waits for company when the encoder is idle. */
  maxWaitMs: number;
  /** Called with each run's size, e.g. for a batch-size metric. */
  onBatch?: (texts: number) => void;
}

interface Pending {
  texts: readonly string[];
  signal: AbortSignal | undefined;
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers concurrent `encode` calls (one per job) into one encoder run. Runs are serialised:
 * while one runs, new requests queue up and form the next batch, so under load batches fill
 * by themselves and an idle encoder adds at most `maxWaitMs`. A failed batch of several
 * requests is retried request by request, so one bad text fails only its own job.
 */
export function withMicroBatching(encoder: Encoder, options: MicroBatchOptions): Encoder {
  const queue: Pending[] = [];
  let running = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = () => {
    if (running || queue.length === 0) return;
    const queued = queue.reduce((n, p) => n + p.texts.length, 0);
    if (queued >= options.maxBatch) {
      void runNext();
    } else if (!timer) {
      timer = setTimeout(() => void runNext(), options.maxWaitMs);
    }
  };

  const runNext = async () => {
    clearTimeout(timer);
    timer = undefined;
    const batch: Pending[] = [];
    let size = 0;
    while (queue.length > 0) {
      const next = queue[0] as Pending;
      if (batch.length > 0 && size + next.texts.length > options.maxBatch) break;
      queue.shift();
      if (next.signal?.aborted) {
        next.reject(next.signal.reason);
        continue;
      }
      batch.push(next);
      size += next.texts.length;
    }
    if (batch.length === 0) return schedule();
    running = true;
    try {
      await runBatch(batch, size);
    } finally {
      running = false;
      schedule();
    }
  };

  const runBatch = async (batch: Pending[], size: number) => {
    options.onBatch?.(size);
    try {
      const vectors = await encoder.encode(batch.flatMap((p) => p.texts));
      let offset = 0;
      for (const pending of batch) {
        pending.resolve(vectors.slice(offset, offset + pending.texts.length));
        offset += pending.texts.length;
      }
    } catch (error) {
      if (batch.length === 1) return batch[0]?.reject(error);
      for (const pending of batch) {
        await encoder.encode(pending.texts, pending.signal).then(pending.resolve, pending.reject);
      }
    }
  };

  return {
    id: encoder.id,
    dimension: encoder.dimension,
    encode: (texts, signal) => {
      if (texts.length === 0) return Promise.resolve([]);
      return new Promise<Float32Array[]>((resolve, reject) => {
        queue.push({ texts, signal, resolve, reject });
        schedule();
      });
    },
  };
}
