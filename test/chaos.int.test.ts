import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const DIST = join(import.meta.dirname, '..', 'apps', 'cli', 'dist');

/**
 * `coldstart chaos` as registered by registerChaosCommand, run in a process of its own because
 * it starts (and SIGKILLs) a whole stack: its own redis-server on a free port, SQS emulator,
 * prefix, queues, ports and temporary state dir, so the machine's shared Redis is never touched.
 */
async function chaos(args: string[]): Promise<any> {
  const entry = `
    import { Command } from 'commander';
    import { registerChaosCommand } from ${JSON.stringify(join(DIST, 'chaos', 'chaos-command.js'))};
    import { loadConfig } from ${JSON.stringify(join(DIST, 'config.js'))};
    const program = new Command('coldstart');
    registerChaosCommand(program, loadConfig);
    await program.parseAsync(['node', 'coldstart', ...process.argv.slice(1)]);
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', entry, ...args], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, LOG_LEVEL: 'warn' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

describe('coldstart chaos', () => {
  it('loses nothing and writes nothing twice while pools are SIGKILLed and Redis crashes', async () => {
    const report = await chaos(['chaos', '--users', '120', '--items', '300', '--kill-every', '3', '--redis-restart', '--s3-faults', '0.2', '--json']);
    expect(report).toMatchObject({ users: 120, items: 300, served: 120, lost: 0, duplicateWrites: 0 });
    expect(report.kills).toBeGreaterThan(0);
    expect(report.kills).toBe(report.detail.killed.length);
    expect(report.detail.redisRestart).toMatchObject({ signal: 'SIGKILL', appendfsync: 'everysec' });
    expect(report.detail.drained).toBe(true);
    expect(report.detail.failedJobs).toBe(0);
    // Each item's embedding was logged once even though its worker may have died mid-write.
    expect(report.detail.duplicates.walEntriesRead).toBeGreaterThanOrEqual(300);
    expect(report.p50MsToRecs).toBeGreaterThan(0);
    expect(report.p99MsToRecs).toBeGreaterThanOrEqual(report.p50MsToRecs);
    // No snapshot settings in this environment: said so, not pretended.
    expect(report.detail.s3Faults).toMatch(/^not-applicable: /);
    // The run's own state (Redis AOF, logs) is gone once it passed.
    expect(report.detail.stateDir).toBeUndefined();
  });

  it('serves every user when 30% of LLM requests fail or hang, falling back where the LLM did not answer', async () => {
    const report = await chaos(['chaos', '--users', '150', '--items', '300', '--llm-faults', '0.3', '--llm-latency-ms', '100', '--rate', '30', '--json']);
    expect(report).toMatchObject({ users: 150, served: 150, lost: 0, duplicateWrites: 0, kills: 0 });
    const llm = report.detail.llm;
    expect(llm).toMatchObject({ latencyMs: 100, errorShare: 0.15, hangShare: 0.15, timeoutMs: 2000, retries: 0, p99BoundMs: 2300 });
    expect(llm.requests).toBeGreaterThan(0);
    // Faults were injected and every user still got a list: from the LLM, its cache or the fallback.
    expect((llm.byOutcome['500'] ?? 0) + (llm.byOutcome.hang ?? 0)).toBeGreaterThan(0);
    expect(report.detail.expansionSources.fallback).toBeGreaterThan(0);
    const sources = report.detail.expansionSources as Record<string, number>;
    expect(Object.values(sources).reduce((a, b) => a + b, 0)).toBe(150);
  });
});
