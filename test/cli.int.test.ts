import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisFixture, freePort, freePortRange, type RedisFixture } from '@coldstart/testing';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'tools', 'cli', 'bin', 'coldstart.js');

/** The `coldstart` command as a user runs it, on a stack of its own (state dir, ports, prefix, queues). */
describe('coldstart CLI', () => {
  let fx: RedisFixture;
  let env: NodeJS.ProcessEnv;
  let stateDir: string;

  beforeAll(async () => {
    fx = await createRedisFixture();
    stateDir = mkdtempSync(join(tmpdir(), 'coldstart-cli-'));
    const tag = randomUUID().slice(0, 8);
    env = {
      ...process.env,
      COLDSTART_STATE_DIR: stateDir,
      COLDSTART_PREFIX: fx.prefix,
      SQS_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      API_PORT: String(await freePort()),
      // Six apps, and a second expand process in the LLM demo.
      METRICS_PORT_BASE: String(await freePortRange(8)),
      USER_EVENTS_QUEUE: `cli-${tag}-user-events`,
      ITEM_EVENTS_QUEUE: `cli-${tag}-item-events`,
    };
  });

  afterAll(async () => {
    await run(process.execPath, [CLI, 'stack', 'down'], { env }).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
    await fx.cleanup();
  });

  it('demo --json serves every user with at least 10 explained recommendations', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'demo', '--fold', 'a', '--users', '12', '--json'], { env, maxBuffer: 32 * 1024 * 1024 });
    const report = JSON.parse(stdout);
    expect(report.users).toHaveLength(12);
    expect(report.elapsedMs).toBeGreaterThan(0);
    expect(report.unserved).toEqual([]);
    for (const user of report.users) {
      expect(Object.keys(user)).toEqual(expect.arrayContaining(['userId', 'seedItem', 'topics', 'recommendations']));
      expect(user.recommendations.length).toBeGreaterThanOrEqual(10);
      expect(user.recommendations.map((r: { itemId: string }) => r.itemId)).not.toContain(user.seedItem);
      for (const item of user.recommendations) {
        expect(Object.keys(item).sort()).toEqual(['itemId', 'reason', 'score', 'title']);
        // A topic, the seed item's content or co-likes, or popularity (in a category, or overall) brought each item.
        expect(item.reason).toSatisfy((reason: string) => [...user.topics, `seed:${user.seedItem}`, `also-liked:${user.seedItem}`, 'popular'].includes(reason) || reason.startsWith('popular-in:'));
      }
    }
    expect(report.signups.stages.map((s: { stage: string }) => s.stage)).toEqual(['expand/expand-topics', 'embed/embed-topics', 'recommend/recommend-user']);
    // Every stage found its jobs: the signups' batches (one job serves several signups).
    for (const stage of report.signups.stages) expect(stage.jobs, stage.stage).toBeGreaterThan(0);
    for (const stage of report.catalog.stages) expect(stage.jobs, stage.stage).toBeGreaterThan(0);
  });

  it('stack status shows every process running, and stack down stops them', async () => {
    const status = JSON.parse((await run(process.execPath, [CLI, 'stack', 'status', '--json'], { env })).stdout) as { name: string; state: string }[];
    expect(status.filter((s) => s.state === 'running').map((s) => s.name)).toEqual(
      expect.arrayContaining(['sqs-emulator', 'worker-index', 'worker-embed', 'worker-expand', 'worker-recommend', 'ingest', 'api']),
    );
    // Reusing the running apps with another prefix would publish where nobody reads: refused.
    const mismatch = await run(process.execPath, [CLI, 'stack', 'up'], { env: { ...env, COLDSTART_PREFIX: `${fx.prefix}-other` } }).catch((e: { code: number; stderr: string }) => e);
    expect((mismatch as { code: number }).code).toBe(1);
    expect((mismatch as { stderr: string }).stderr).toMatch(/COLDSTART_PREFIX: running stack has/);
    await run(process.execPath, [CLI, 'stack', 'down'], { env });
    const after = JSON.parse((await run(process.execPath, [CLI, 'stack', 'status', '--json'], { env })).stdout) as { name: string; state: string }[];
    expect(after.filter((s) => s.state === 'running')).toEqual([]);
  });

  it('demo --llm-base-url expands through the LLM served by `coldstart llm-server`, with two expand processes', async () => {
    const port = await freePort();
    const server = spawn(process.execPath, [CLI, 'llm-server', '--port', String(port), '--model', 'llama-3.2-1b', '--latency-ms', '50'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        server.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        server.once('exit', (code) => reject(new Error(`llm-server exited with ${code}`)));
      });
      expect(banner).toContain(`http://127.0.0.1:${port}/v1`);
      const { stdout } = await run(process.execPath, [CLI, 'demo', '--fold', 'a', '--users', '40', '--json', '--llm-base-url', `http://127.0.0.1:${port}/v1`, '--expand-processes', '2'], {
        env,
        maxBuffer: 32 * 1024 * 1024,
      });
      const report = JSON.parse(stdout);
      expect(report.unserved).toEqual([]);
      expect(report.users).toHaveLength(40);
      // The model id came from the server's /v1/models.
      expect(report.llm).toMatchObject({ model: 'llama-3.2-1b', expandProcesses: 2, fallbacks: 0, unreachable: 0 });
      expect(report.llm.calls).toBeGreaterThan(0);
      expect(report.llm.calls).toBeLessThanOrEqual(40 / 5);
      expect(report.expansionSources.llm + report.expansionSources.cache).toBe(40);
      for (const user of report.users) expect(user.expansion).toMatchObject({ expander: 'llm:llama-3.2-1b', variant: 'default', promptVersion: 'published-v1' });
      const status = JSON.parse((await run(process.execPath, [CLI, 'stack', 'status', '--json'], { env })).stdout) as { name: string; state: string }[];
      expect(status.filter((s) => s.state === 'running').map((s) => s.name)).toEqual(expect.arrayContaining(['worker-expand', 'worker-expand-2']));
    } finally {
      server.kill('SIGTERM');
      await run(process.execPath, [CLI, 'stack', 'down'], { env });
    }
  });

  it('demo --llm-base-url names a server that does not answer, before starting anything', async () => {
    const port = await freePort();
    const failed = await run(process.execPath, [CLI, 'demo', '--users', '1', '--llm-base-url', `http://127.0.0.1:${port}/v1`], { env }).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toMatch(new RegExp(`the LLM server at http://127.0.0.1:${port}/v1 did not list its models`));
  });

  it('events validate classifies every corpus body, one output line per input line', async () => {
    const corpus = readFileSync(join(import.meta.dirname, 'corpus', 'events.jsonl'), 'utf8').trim().split('\n');
    const child = run(process.execPath, [CLI, 'events', 'validate'], { env, maxBuffer: 16 * 1024 * 1024 });
    child.child.stdin?.end(corpus.join('\n') + '\n');
    const lines = (await child).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(corpus.length);
    corpus.forEach((line, i) => {
      const expected = JSON.parse(line).expect as string;
      if (expected === 'invalid') expect(lines[i]).toMatchObject({ ok: false, error: expect.any(String) });
      else expect(lines[i]).toEqual({ ok: true, type: expected });
    });
  });

  it('reports every invalid setting at once and exits non-zero', async () => {
    const failure = await run(process.execPath, [CLI, 'stack', 'status'], { env: { ...env, REDIS_URL: 'http://nope', API_PORT: 'abc' } }).catch((e: { code: number; stderr: string }) => e);
    expect((failure as { code: number }).code).toBe(1);
    expect((failure as { stderr: string }).stderr).toMatch(/REDIS_URL.*\n.*API_PORT|API_PORT.*\n.*REDIS_URL/s);
  });
});
