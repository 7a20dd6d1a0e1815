import { describe, expect, it } from 'vitest';
import { runCliCommand } from './support/cli-command.js';

/**
 * `coldstart chaos` as registered by registerChaosCommand, run in a process of its own because
 * it starts (and SIGKILLs) a whole stack: its own redis-server on a free port, SQS emulator,
 * prefix, queues, ports and temporary state dir, so the machine's shared Redis is never touched.
 */
async function chaos(args: string[]): Promise<any> {
  // A run gives up after 90 s, inside the test's 120 s, so a run that does not drain still
  // prints its report (it exits 1 then) and the assertions below say what was left undone.
  const command = [...args, '--timeout', '90'];
  try {
    return JSON.parse((await runCliCommand({ module: 'chaos/chaos-command.js', register: 'registerChaosCommand' }, command)).stdout);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    if (!stdout?.trim()) throw new Error(`coldstart chaos printed no report:\n${stderr ?? ''}`, { cause: error });
    return JSON.parse(stdout);
  }
}

describe('coldstart chaos', () => {
  it('loses nothing and writes nothing twice while pools are SIGKILLed and Redis crashes', async () => {
    // Paced so the run lasts at least 6 s however fast the machine is: kills every 2 s must land
    // while work is in flight (unpaced, a fast machine finished before the first kill).
    const report = await chaos(['chaos', '--users', '120', '--items', '300', '--kill-every', '2', '--rate', '20', '--redis-restart', '--json']);
    expect(report).toMatchObject({ users: 120, items: 300, served: 120, lost: 0, duplicateWrites: 0 });
    expect(report.kills).toBeGreaterThan(0);
    expect(report.kills).toBe(report.detail.killed.length);
    expect(report.detail.redisRestart).toMatchObject({ signal: 'SIGKILL', appendfsync: 'everysec' });
    // The interaction stream under the same kills: every like learned, none twice.
    expect(report.detail.behaviour.expectedLikes).toBeGreaterThan(100);
    expect(report.detail.behaviour).toMatchObject({ lost: 0, doubled: 0, logged: report.detail.behaviour.expectedLikes });
    // leftInSqs may be above 0: a message whose flow is in Redis but whose ingest died before
    // deleting it comes back later and is dropped as a repeat.
    expect(report.detail).toMatchObject({ drained: true, failedJobs: 0, deadLetters: 0, visibilityTimeoutSeconds: 10 });
    // Each item's embedding was logged once even though its worker may have died mid-write.
    expect(report.detail.duplicates.walEntriesRead).toBeGreaterThanOrEqual(300);
    expect(report.p50MsToRecs).toBeGreaterThan(0);
    expect(report.p99MsToRecs).toBeGreaterThanOrEqual(report.p50MsToRecs);
    // Without --s3-faults the stack keeps no snapshots and the log is never trimmed.
    expect(report.detail.s3Faults).toBeNull();
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

  it('snapshots through S3 faults: writes fail or stall, yet LATEST verifies and a replica from it holds the catalog', async () => {
    const report = await chaos(['chaos', '--users', '40', '--items', '300', '--kill-every', '4', '--s3-faults', '0.6', '--json']);
    expect(report).toMatchObject({ users: 40, items: 300, served: 40, lost: 0, duplicateWrites: 0 });
    const s3 = report.detail.s3Faults;
    expect(s3).toMatchObject({ share: 0.6, errorShare: 0.3, delayShare: 0.3, verified: true });
    // The proxy saw the writer's writes and faulted some (seeded, so the same ones every run).
    expect(s3.proxy.writes).toBeGreaterThan(0);
    expect(s3.proxy.errorsInjected.InternalError + s3.proxy.errorsInjected.SlowDown + s3.proxy.delaysInjected).toBeGreaterThan(0);
    expect(s3.snapshotTraffic.pointerMoves).toBeGreaterThan(0);
    expect(s3.check).toMatchObject({ catalogItems: 300, replicaItems: 300, itemDifferences: 0, problems: [] });
    // Every index with a log (the item index, and any the writer keeps beside it) verifies.
    for (const index of s3.check.indexes) {
      expect(index).toMatchObject({ latestVerifies: true, coversLog: true });
      expect(index.replica.startedFrom).toBe(index.latest.snapshotId);
      expect(index.kept.filter((k: { latest: boolean }) => k.latest)).toHaveLength(1);
    }
    const items = s3.check.indexes.find((index: { kind: string }) => index.kind === 'item');
    expect(items.latest.vectors).toBe(300);
    expect(items.replica.items).toBe(300);
    expect(report.detail.stateDir).toBeUndefined();
  });
});
