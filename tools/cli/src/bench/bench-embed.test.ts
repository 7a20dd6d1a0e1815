import { describe, expect, it } from 'vitest';
import type { Encoder } from '@coldstart/embeddings';
import { benchEmbed } from './bench-embed.js';

describe('benchEmbed', () => {
  it('runs every batch size over every text through the micro-batcher and reports each', async () => {
    const runs: number[] = [];
    const encoder: Encoder = {
      id: 'fake',
      dimension: 1,
      encode: async (texts) => {
        runs.push(texts.length);
        await new Promise((resolve) => setTimeout(resolve, 2));
        return texts.map(() => new Float32Array([1]));
      },
    };
    const texts = Array.from({ length: 40 }, (_, i) => `text ${i}`);
    const report = await benchEmbed(encoder, texts, [1, 8]);
    expect(report.encoder).toBe('fake');
    expect(report.results.map((r) => r.batch)).toEqual([1, 8]);
    for (const r of report.results) {
      expect(r.textsPerSec).toBeGreaterThan(0);
      expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    }
    // batch 1: a warm-up of 1 text then 40 runs of one text; batch 8: runs of up to 8 texts.
    expect(runs.slice(0, 41).every((n) => n === 1)).toBe(true);
    const batch8 = runs.slice(41);
    expect(batch8.reduce((a, b) => a + b, 0)).toBe(8 + 40);
    expect(Math.max(...batch8)).toBe(8);
  });
});
