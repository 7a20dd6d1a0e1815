import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const DIST = join(import.meta.dirname, '..', 'apps', 'cli', 'dist');

/** `coldstart bench index` as registered by registerBenchIndexCommand; freshness runs a stack of its own (own Redis port, prefix, state dir). */
async function benchIndex(args: string[]): Promise<{ stdout: any; stderr: string }> {
  const entry = `
    import { Command } from 'commander';
    import { registerBenchIndexCommand } from ${JSON.stringify(join(DIST, 'bench', 'bench-index.js'))};
    import { loadConfig } from ${JSON.stringify(join(DIST, 'config.js'))};
    const program = new Command('coldstart');
    registerBenchIndexCommand(program.command('bench'), loadConfig);
    await program.parseAsync(['node', 'coldstart', ...process.argv.slice(1)]);
  `;
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', entry, ...args], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, LOG_LEVEL: 'warn' },
    maxBuffer: 16 * 1024 * 1024,
  });
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
