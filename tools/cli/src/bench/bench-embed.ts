import { withMicroBatching, type Encoder } from '@coldstart/embeddings';
import { percentile } from '@coldstart/runtime';

export interface EmbedBenchResult {
  batch: number;
  textsPerSec: number;
  /** Latency of one text's request, as a job sees it (waiting for its batch included). */
  p50Ms: number;
  p99Ms: number;
}

export interface EmbedBenchReport {
  encoder: string;
  texts: number;
  results: EmbedBenchResult[];
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Measures the embed pool's own path: for batch size b, b concurrent single-text requests
 * (as b jobs in flight would make) go through the micro-batcher with maxBatch b, so batch 1
 * is one run per text and batch 32 is what micro-batching gives on the same model. Every
 * size runs in the same process, on the same texts, after one warm-up run.
 */
export async function benchEmbed(encoder: Encoder, texts: readonly string[], batchSizes: readonly number[]): Promise<EmbedBenchReport> {
  const results: EmbedBenchResult[] = [];
  for (const batch of batchSizes) {
    const batched = withMicroBatching(encoder, { maxBatch: batch, maxWaitMs: 2 });
    await batched.encode(texts.slice(0, Math.min(batch, texts.length)));
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < texts.length) {
        const text = texts[next++] as string;
        const t0 = performance.now();
        await batched.encode([text]);
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: batch }, worker));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    results.push({ batch, textsPerSec: round(texts.length / seconds), p50Ms: round(percentile(latencies, 50) ?? 0, 2), p99Ms: round(percentile(latencies, 99) ?? 0, 2) });
  }
  return { encoder: encoder.id, texts: texts.length, results };
}
