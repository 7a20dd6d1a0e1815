import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlowJob } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { EVENT_EXAMPLES } from '@coldstart/events';
import { QUEUES, type QueueName } from './catalog.js';
import { jobIdFor } from '@coldstart/queues';
import { createHops, flowForEvent, flowForSignups, HOPS, type JobRef } from './graph.js';
import { signupBatchKey } from './signup/jobs.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const GRAPH_FILE = 'packages/pipeline/src/graph.ts';
const catalogJobs = Object.values(QUEUES).flatMap((queue) => Object.keys(queue.jobs).map((name) => `${queue.name}/${name}`));
const declared = new Set(HOPS.map((hop) => `${hop.from} → ${hop.to}`));

/** Every (cause → job) edge of a flow: the event to each job that runs first (a leaf), each child to its parent. */
function flowEdges(event: string, flow: FlowJob): string[] {
  const ref = (job: FlowJob) => `${job.queueName}/${job.name}`;
  const walk = (job: FlowJob): string[] =>
    job.children?.length ? job.children.flatMap((child) => [`${ref(child)} → ${ref(job)}`, ...walk(child)]) : [`${event} → ${ref(job)}`];
  return walk(flow);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (['node_modules', 'dist', '.git'].includes(name)) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('the event graph', () => {
  it('declares only jobs of the catalog, and reaches every job of it', () => {
    for (const hop of HOPS) {
      expect(catalogJobs).toContain(hop.to);
      if (hop.from.includes('/')) expect(catalogJobs).toContain(hop.from);
    }
    expect(new Set(HOPS.map((hop) => hop.to))).toEqual(new Set(catalogJobs));
  });

  it('declares every hop of every event type’s flow', () => {
    const types = new Set<string>();
    for (const event of EVENT_EXAMPLES) {
      types.add(event.type);
      for (const edge of flowEdges(event.type, flowForEvent(event))) expect(declared, `${edge} is not in HOPS`).toContain(edge);
    }
    expect(types).toEqual(new Set(['user.signup', 'user.interaction', 'item.upserted', 'item.deleted']));
  });

  it('carries several signups in one flow with the edges of one signup’s, keyed by the batch', () => {
    const signups = ['a', 'b', 'c'].map((u) => ({ eventId: `ev-${u}`, occurredAt: '2026-01-01T00:00:00.000Z', userId: u, categories: ['x'], seeds: [{ itemId: `seed-${u}`, rating: 5 }] }));
    const flow = flowForSignups(signups);
    for (const edge of flowEdges('user.signup', flow)) expect(declared, `${edge} is not in HOPS`).toContain(edge);
    expect(flow.data).toEqual({ signups });
    expect(flow.opts?.jobId).toBe(jobIdFor('recommend-user', signupBatchKey(signups)));
    // The same signups in another order are the same batch: re-adding it is absorbed.
    expect(flowForSignups([...signups].reverse()).opts?.jobId).toBe(flow.opts?.jobId);
    const learn = flow.children?.find((child) => child.name === 'learn-interactions');
    expect(learn?.data).toEqual({
      eventId: signupBatchKey(signups),
      interactions: signups.map((s) => ({ eventId: `${s.eventId}:seed-${s.userId}`, userId: s.userId, itemId: `seed-${s.userId}`, rating: 5, occurredAt: s.occurredAt })),
    });
    // A flow of one signup is keyed by its event, as every event's flow is.
    expect(flowForSignups([signups[0]!]).opts?.jobId).toBe(jobIdFor('recommend-user', 'ev-a'));
  });

  it('declares every job a stage queues through its hops', async () => {
    const added: JobRef[] = [];
    const hops = createHops(
      {
        add: async (queue, name) => {
          added.push(`${queue}/${name}` as JobRef);
        },
      },
      {
        add: async (flow) => {
          added.push(`${flow.queueName}/${flow.name}` as JobRef);
          return undefined as never;
        },
      },
    );
    await hops.recordUserVectors({ eventId: 'e', users: [{ eventId: 'e', occurredAt: '2026-01-01T00:00:00.000Z', userId: 'u', encoder: 'x', dimension: 1, vector: 'AACAPw==' }] });
    await hops.signupAlone({ eventId: 'e', occurredAt: '2026-01-01T00:00:00.000Z', userId: 'u', categories: [], seeds: [{ itemId: 'i' }] });
    await hops.fanOutItem({ eventId: 'e', occurredAt: '2026-01-01T00:00:00.000Z', itemId: 'i', encoder: 'x', dimension: 1, vector: 'AACAPw==' });
    await hops.fanOutToUser({ userId: 'u', window: 1 }, { key: 'k', delayMs: 0 });
    await hops.seedArrived({ eventId: 'e', occurredAt: '2026-01-01T00:00:00.000Z', userId: 'u', itemId: 'i' });
    await hops.learnHistory({ eventId: 'batch', interactions: [{ eventId: 'e', userId: 'u', itemId: 'i', occurredAt: '2026-01-01T00:00:00.000Z' }] });
    expect(added).toHaveLength(Object.keys(hops).length);
    const targets = new Set(HOPS.map((hop) => hop.to));
    for (const job of added) expect(targets).toContain(job);
  });

  // A hidden hop — a handler or app adding a job on its own — fails here: graph.ts is the only
  // source file that names a queue to add a job to, or builds a flow node.
  it('is the only place in the product that queues a job', () => {
    const queueNames = (Object.keys(QUEUES) as QueueName[]).join('|');
    const addsJob = new RegExp(`\\.add(Bulk)?\\(\\s*['"\`](${queueNames})['"\`]|queueName\\s*:\\s*['"\`]`);
    const offenders = ['apps', 'packages']
      .flatMap((top) => sourceFiles(join(REPO, top)))
      .filter((path) => relative(REPO, path) !== GRAPH_FILE && addsJob.test(readFileSync(path, 'utf8')))
      .map((path) => relative(REPO, path));
    expect(offenders).toEqual([]);
  });
});
