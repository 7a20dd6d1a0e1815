import { describe, expect, it } from 'vitest';
import { runCliCommand } from './support/cli-command.js';

/** `coldstart bench pipeline` as registered by registerBenchPipelineCommand, on a stack of its own (own Redis port, prefix, state dir). */
async function benchPipeline(args: string[]): Promise<any> {
  return JSON.parse((await runCliCommand({ module: 'bench/bench-pipeline.js', register: 'registerBenchPipelineCommand', group: 'bench' }, args)).stdout);
}

// Figures only: how fast is for the benchmark's output to show, never for a test to assert.
describe('coldstart bench pipeline', () => {
  it('serves every user through the stack with an LLM conversation each, batched, and reports both modes in one JSON', async () => {
    const report = await benchPipeline(['bench', 'pipeline', '--users', '60', '--llm-latency-ms', '50', '--baseline-users', '3', '--expand-processes', '1', '--json']);
    expect(report).toMatchObject({ users: 60, llmLatencyMs: 50, encoder: 'wink-glove-100d' });
    const { pipeline, sequential } = report;
    expect(pipeline.served).toBe(60);
    // The cache is off in effect: every user's topics came from an LLM request of its own.
    expect(pipeline.expansionSources).toEqual({ llm: 60 });
    expect(pipeline.llmConversations).toBeGreaterThanOrEqual(60);
    // Signups published at once share requests (LLM_BATCH_MAX conversations each at most).
    expect(pipeline.llmRequests).toBeLessThan(pipeline.llmConversations);
    expect(pipeline.llmRequests).toBeGreaterThanOrEqual(Math.ceil(60 / 32));
    for (const value of [pipeline.usersPerSec, pipeline.p50MsToRecs, pipeline.p99MsToRecs, pipeline.cpuMsPerEvent, sequential.usersPerSec, report.speedup]) {
      expect(value).toBeGreaterThan(0);
    }
    expect(Object.keys(pipeline.cpu.byProcess).sort()).toEqual(['bench', 'ingest', 'redis-server', 'sqs-emulator', 'worker-embed', 'worker-expand', 'worker-index', 'worker-recommend']);
    // Redis did work for every signup, and the total is ours plus Redis's.
    expect(pipeline.cpuMsPerSignup.redis).toBeGreaterThan(0);
    expect(pipeline.cpuMsPerSignup.ours).toBe(pipeline.cpuMsPerEvent);
    expect(pipeline.cpuMsPerSignup.total).toBeCloseTo(pipeline.cpuMsPerSignup.ours + pipeline.cpuMsPerSignup.redis, 2);
    expect(pipeline.redis.commandsPerSignup).toBeGreaterThan(10);
    expect(Object.keys(pipeline.redis.byCommand)).toEqual(expect.arrayContaining(['evalsha']));
    // Published at once, the signups share flows: more than one per recommend job, at most a batch's 50.
    expect(pipeline.signupsPerJob).toBeGreaterThan(1);
    expect(pipeline.signupsPerJob).toBeLessThanOrEqual(50);
    expect(pipeline.publishedPerSec).toBeNull();
    // Every list made content searches (a topic's, a seed's), and the recommend pool's kept answers served some of the repeated ones.
    expect(pipeline.searches.total).toBeGreaterThanOrEqual(60);
    expect(pipeline.searches.answeredShare).toBeGreaterThan(0);
    expect(pipeline.searches.answeredShare).toBeLessThan(1);
    expect(sequential.users).toBe(3);
    expect(sequential.meanMs.llm).toBeGreaterThanOrEqual(50);
  });
});
