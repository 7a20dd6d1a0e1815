import { describe, expect, it } from 'vitest';
import { runCliCommand } from './support/cli-command.js';

/** `coldstart bench index` as registered by registerBenchIndexCommand; freshness runs a stack of its own (own Redis port, prefix, state dir). */
async function benchIndex(args: string[]): Promise<{ stdout: any; stderr: string }> {
  const { stdout, stderr } = await runCliCommand({ module: 'bench/bench-index.js', register: 'registerBenchIndexCommand', group: 'bench' }, args);
  return { stdout: JSON.parse(stdout), stderr };
}

// Figures only: whether freshness is good is for the benchmark's output, never for a test to assert.
describe('coldstart bench index freshness', () => {
  it('times item events from SQS to a replica search through the real pipeline', async () => {
    const { stdout: report, stderr } = await benchIndex(['bench', 'index', '--n', '100', '--dim', '8', '--queries', '5', '--freshness-items', '15', '--json']);
    expect(report).toMatchObject({ n: 100, dim: 8 });
    // A real latency: at least one SQS round trip, an embed and an index job, a log read.
    expect(report.freshnessP99Ms).toBeGreaterThan(0);
    expect(stderr).toMatch(/freshness: p50 \d+ ms, p99 \d+ ms, max \d+ ms over 15 items at 20\/s/);
  });

  it('skips the pipeline with --no-freshness', async () => {
    const { stdout: report, stderr } = await benchIndex(['bench', 'index', '--n', '100', '--dim', '8', '--queries', '5', '--no-freshness', '--json']);
    expect(report.freshnessP99Ms).toBeNull();
    expect(stderr).not.toMatch(/freshness/);
  });
});
