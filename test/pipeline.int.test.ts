import type { FlowJob } from 'bullmq';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { flowForEvent, type QueueName } from '@coldstart/pipeline';
import { jobIdFor } from '@coldstart/queues';
import { loadFold, type Book } from '@coldstart/goodbooks';
import { recommendationIdOf, storeKeys } from '@coldstart/store';
import { REDIS_KINDS, useRedis } from '@coldstart/testing';
import { APPS, PipelineHarness, type AppName } from './support/pipeline-harness.js';
import { deleted, interaction, signup, upserted } from './support/book-events.js';

/**
 * The walking skeleton end to end: events on SQS, every pool its own process, lists read
 * back through the API process; once on one Redis and once on a Redis Cluster of three
 * masters, where the deployment's data, its queues and its caches hash to different slots.
 */
describe.each(REDIS_KINDS)('pipeline on $redis, every app its own process, queues in $queuePartitions partition(s)', ({ masters, queuePartitions }) => {
  let harness: PipelineHarness;
  let books: Book[];
  const redis = useRedis(masters);

  beforeAll(async () => {
    harness = await PipelineHarness.start({ QUEUE_PARTITIONS: String(queuePartitions) }, redis.url());
    books = (await loadFold('a')).books.slice(0, 150);
    await harness.publish(books.map(upserted));
    await harness.waitForCatalog(books.length, 60_000);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const waitForList = async (userId: string, eventId: string) => {
    let body: any;
    await vi.waitFor(
      async () => {
        const response = await harness.recommendations(userId);
        expect(response.status).toBe(200);
        expect(response.body.eventId).toBe(eventId);
        body = response.body;
      },
      { timeout: 60_000, interval: 200 },
    );
    return body;
  };

  it('turns one signup event on SQS into an explained list readable through the API', async () => {
    const seed = books[3]!;
    const event = signup('e2e-user-1', seed);
    expect((await harness.recommendations('e2e-user-1')).status).toBe(404);
    await harness.publish([event]);
    const list = await waitForList('e2e-user-1', event.eventId);

    expect(Object.keys(list).sort()).toEqual(['encoder', 'eventId', 'expansion', 'generatedAt', 'items', 'recommendationId', 'topics', 'userId']);
    expect(list.recommendationId).toBe(recommendationIdOf('e2e-user-1', event.eventId));
    expect(list.userId).toBe('e2e-user-1');
    expect(list.topics.length).toBeGreaterThanOrEqual(3);
    expect(list.topics.length).toBeLessThanOrEqual(5);
    expect(list.expansion.source).toBe('catalog');
    expect(list.items.length).toBe(20);
    for (const [i, item] of list.items.entries()) {
      expect(Object.keys(item).sort()).toEqual(['itemId', 'position', 'reason', 'reasonKind', 'score', 'title']);
      expect(item.position).toBe(i + 1);
      // A topic, or the seed item itself (`seed:<itemId>`), brought each item.
      expect([...list.topics, `seed:${seed.bookId}`]).toContain(item.reason);
      expect(books.some((b) => String(b.bookId) === item.itemId && b.title === item.title)).toBe(true);
    }
    expect(list.items.map((i: { itemId: string }) => i.itemId)).not.toContain(String(seed.bookId));
    expect(new Set(list.items.map((i: { itemId: string }) => i.itemId)).size).toBe(list.items.length);
  });

  /** The sum of a metric's samples whose labels include `labels`; undefined when there is none. */
  const sample = (text: string, name: string, labels: Record<string, string> = {}): number | undefined => {
    let total: number | undefined;
    for (const line of text.split('\n')) {
      const match = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
      if (!match || match[1] !== name) continue;
      if (!Object.entries(labels).every(([k, v]) => (match[2] ?? '').includes(`${k}="${v}"`))) continue;
      total = (total ?? 0) + Number(match[3]);
    }
    return total;
  };

  it('every app answers /healthz, /readyz and /metrics, its coldstart_ metrics counting the work', async () => {
    const texts = new Map<AppName, string>();
    for (const app of APPS) {
      const base = harness.opsUrl(app);
      expect((await fetch(`${base}/healthz`)).status, app).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status, `${app}: ${JSON.stringify(await ready.clone().json())}`).toBe(200);
      const body = (await ready.json()) as { status: string; checks?: Array<{ name: string; ok: boolean; detail?: unknown }> };
      expect(body.status).toBe('ready');
      if (app === 'worker-recommend') {
        const replicas = Object.values(body.checks?.find((c) => c.name === 'replicas')?.detail ?? {});
        expect(replicas.length).toBeGreaterThan(0);
        // No snapshots configured here: every replica replayed its log from the start.
        for (const lag of replicas) expect(lag).toEqual({ lagEntries: expect.any(Number), lagSeconds: expect.any(Number), position: expect.stringMatching(/^\d+-\d+$/), snapshot: null });
      }
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status, app).toBe(200);
      const text = await metrics.text();
      expect(text, app).toContain('process_cpu_user_seconds_total');
      texts.set(app, text);
    }
    const pools = { 'worker-expand': ['expand', 'expand-topics'], 'worker-embed': ['embed', 'embed-topics'], 'worker-index': ['index', 'upsert-item'], 'worker-recommend': ['recommend', 'recommend-user'] } as const;
    for (const [app, [queue, job]] of Object.entries(pools)) {
      const text = texts.get(app as AppName)!;
      expect(sample(text, 'coldstart_jobs_total', { queue, job, outcome: 'completed' }), app).toBeGreaterThan(0);
      expect(sample(text, 'coldstart_job_processing_seconds_count', { queue, job }), app).toBeGreaterThan(0);
      expect(sample(text, 'coldstart_job_queued_seconds_count', { queue }), app).toBeGreaterThan(0);
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'waiting-children']) {
        expect(sample(text, 'coldstart_queue_jobs', { queue, state }), `${app} ${state}`).toBeGreaterThanOrEqual(0);
      }
      expect(sample(text, 'coldstart_queue_oldest_waiting_seconds', { queue }), app).toBeGreaterThanOrEqual(0);
    }
    expect(sample(texts.get('worker-embed')!, 'coldstart_embed_batch_size_count')).toBeGreaterThan(0);
    expect(sample(texts.get('worker-recommend')!, 'coldstart_index_replica_lag_entries')).toBeGreaterThanOrEqual(0);
    expect(sample(texts.get('worker-recommend')!, 'coldstart_index_replica_applied_timestamp_seconds')).toBeGreaterThan(1e9);
    const ingest = texts.get('ingest')!;
    expect(sample(ingest, 'coldstart_sqs_messages_total', { queue: harness.userQueue.name, outcome: 'accepted' })).toBeGreaterThan(0);
    expect(sample(ingest, 'coldstart_sqs_messages_total', { queue: harness.itemQueue.name, outcome: 'accepted' })).toBe(books.length);
    expect(sample(ingest, 'coldstart_sqs_messages_deleted_total', { outcome: 'ok' })).toBeGreaterThan(books.length);
    expect(sample(ingest, 'coldstart_sqs_receives_total', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(texts.get('api')!, 'coldstart_http_requests_total', { route: '/v1/users/:userId/recommendations', status: '200' })).toBeGreaterThan(0);
  });

  it('serves the queue dashboard: 401 without a token, read-only with the API token, mutations with the admin token', async () => {
    const url = (path: string) => `${harness.apiUrl}/admin/queues${path}`;
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await fetch(url('/api/queues'))).status).toBe(401);
    const read = await fetch(url('/api/queues'), { headers: as(harness.env.API_TOKEN!) });
    expect(read.status).toBe(200);
    const { queues } = (await read.json()) as { queues: Array<{ name: string }> };
    // Each queue once per partition, those of partition 1 and up named after it.
    const partitionNames = harness.partitions.prefixes.map((_, i) => (i === 0 ? '' : `p${i}:`));
    expect(queues.map((q) => q.name).sort()).toEqual(partitionNames.flatMap((p) => ['embed', 'expand', 'index', 'recommend'].map((name) => `${p}${name}`)).sort());
    const refused = await fetch(url('/api/queues/expand/retry/failed'), { method: 'PUT', headers: as(harness.env.API_TOKEN!) });
    expect(refused.status).toBe(403);
    await refused.arrayBuffer();
    const allowed = await fetch(url('/api/queues/expand/retry/failed'), { method: 'PUT', headers: as(harness.env.API_ADMIN_TOKEN!) });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ retried: 0, skipped: 0 });
    // A browser logs in once with ?token= and carries the cookie.
    const login = await fetch(url(`?token=${harness.env.API_TOKEN}`), { redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(url(''), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  });

  it('answers 401 without the token, 404 for an unknown user and 400 for a bad id', async () => {
    expect((await fetch(`${harness.apiUrl}/v1/users/x/recommendations`)).status).toBe(401);
    expect((await harness.recommendations('nobody-here')).status).toBe(404);
    expect((await harness.recommendations('x'.repeat(129))).status).toBe(400);
    expect((await harness.recommendations('bad\u0001id')).status).toBe(400);
  });

  it('marks an interacted item as seen and refreshes the list without it', async () => {
    const event = signup('e2e-user-2', books[10]!);
    await harness.publish([event]);
    const before = await waitForList('e2e-user-2', event.eventId);
    const clicked = before.items[0].itemId as string;
    const click = interaction('e2e-user-2', clicked);
    await harness.publish([click]);
    const after = await waitForList('e2e-user-2', click.eventId);
    expect(after.items.map((i: { itemId: string }) => i.itemId)).not.toContain(clicked);
    expect(after.topics).toEqual(before.topics);
  });

  it('removes a deleted item from the index and from every stored list', async () => {
    const first = signup('e2e-user-3', books[20]!);
    const second = signup('e2e-user-4', books[20]!);
    await harness.publish([first, second]);
    const list = await waitForList('e2e-user-3', first.eventId);
    await waitForList('e2e-user-4', second.eventId);
    const victim = list.items[0].itemId as string;
    await harness.publish([deleted(victim)]);
    await vi.waitFor(
      async () => {
        for (const user of ['e2e-user-3', 'e2e-user-4']) {
          const { body } = await harness.recommendations(user);
          expect(body.items.map((i: { itemId: string }) => i.itemId)).not.toContain(victim);
        }
      },
      { timeout: 30_000, interval: 200 },
    );
    // A later signup searches the replica, which applied the delete from the log.
    const third = signup('e2e-user-5', books[20]!);
    await harness.publish([third]);
    const fresh = await waitForList('e2e-user-5', third.eventId);
    expect(fresh.items.map((i: { itemId: string }) => i.itemId)).not.toContain(victim);
    expect((await harness.catalog().getItems([victim])).size).toBe(0);
  });

  it('serves signups published together at once, and one whose seed has not arrived in a flow of its own that nobody else waits for', async () => {
    const late = (await loadFold('a')).books[200]!;
    expect(books.some((b) => b.bookId === late.bookId)).toBe(false);
    const ready = [signup('e2e-batch-1', books[40]!), signup('e2e-batch-2', books[41]!), signup('e2e-batch-3', books[42]!)];
    const waiting = signup('e2e-batch-late', late);
    await harness.publish([...ready, waiting]);
    // Served while the late signup's seed is still missing: nobody waited for it.
    for (const event of ready) await waitForList(event.userId, event.eventId);
    expect((await harness.recommendations('e2e-batch-late')).status).toBe(404);
    // The late signup goes on in a flow of its own, keyed by its event: split off the batch it
    // came in, or received alone (SQS decides how the four come back).
    const own = await harness.queue('recommend').getJob(jobIdFor('recommend-user', waiting.eventId));
    expect(own?.data.signups.map((s: { eventId: string }) => s.eventId)).toEqual([waiting.eventId]);
    // Its seed arrives: its list is built from it (within the seed wait, or rebuilt on arrival).
    await harness.publish([upserted(late)]);
    await vi.waitFor(
      async () => {
        const { status, body } = await harness.recommendations('e2e-batch-late');
        expect(status).toBe(200);
        expect(body.items.map((i: { reason: string }) => i.reason)).toContain(`seed:${late.bookId}`);
      },
      { timeout: 60_000, interval: 200 },
    );
  });

  it('processes a duplicate eventId once', async () => {
    const event = signup('e2e-user-6', books[30]!);
    const decided = async () => {
      const text = await (await fetch(`${harness.opsUrl('ingest')}/metrics`)).text();
      const byOutcome = (outcome: string) => sample(text, 'coldstart_sqs_messages_total', { queue: harness.userQueue.name, outcome }) ?? 0;
      return byOutcome('accepted') + byOutcome('duplicate');
    };
    const before = await decided();
    await harness.publish([event, event, { ...event, occurredAt: new Date().toISOString() }]);
    await waitForList('e2e-user-6', event.eventId);
    // Nothing more can happen for the duplicates once (1) the ingest has decided about all three
    // messages, so none of them adds a flow any more, and (2) every job of the event's flow is
    // completed: job ids derive from (job name, eventId), so a duplicate's flow was either
    // absorbed by these very jobs or is one of them, and would not be completed yet.
    await vi.waitFor(async () => expect(await decided()).toBeGreaterThanOrEqual(before + 3), { timeout: 30_000, interval: 200 });
    const jobs: FlowJob[] = [flowForEvent(event)];
    for (const job of jobs) jobs.push(...(job.children ?? []));
    await vi.waitFor(
      async () => {
        for (const job of jobs) {
          const queue = harness.queue(job.queueName as QueueName);
          const state = await queue.getJobState(job.opts!.jobId!).finally(() => queue.close());
          expect(state, `${job.queueName}/${job.name}`).toBe('completed');
        }
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(await harness.store().repeatedEvents()).toBe(0);
    expect(await harness.fx.redis.scard(storeKeys(harness.fx.prefix).recommendationEvents('e2e-user-6'))).toBe(1);
  });

  // The embedding cache's slot of its own is used by model encoders only (worker-embed's main), not by the word vectors here.
  it.runIf(masters > 0)('on a cluster, spreads the deployment over slots of its own: data, experiment counts, queue partitions (each, and the data, on a master of its own) and users (over the masters)', async () => {
    const cluster = harness.fx.redis as Cluster;
    const tag = /^\{(.+)\}$/.exec(harness.fx.prefix)![1]!;
    const groups = new Map<string, number>();
    for (const node of cluster.nodes('master')) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `{${tag}*`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const group = /^\{([^}]+)\}/.exec(key)![1]!;
          if (!groups.has(group)) groups.set(group, Number(await node.call('CLUSTER', 'KEYSLOT', key)));
        }
      } while (cursor !== '0');
    }
    const queueGroups = harness.partitions.prefixes.map((prefix) => /^\{([^}]+)\}/.exec(prefix)![1]!);
    expect(queueGroups).toHaveLength(queuePartitions);
    // Each user's seen set, profile and fan-out state in a slot of the user's own.
    const userGroups = [...groups.keys()].filter((group) => group.startsWith(`${tag}:u:`));
    expect([...groups.keys()].filter((group) => !userGroups.includes(group)).sort()).toEqual([tag, ...queueGroups, `${tag}:experiments`].sort());
    expect(new Set([tag, ...queueGroups, `${tag}:experiments`].map((group) => groups.get(group))).size).toBe(queuePartitions + 2);
    // Every partition held jobs; the data slot and each partition live on a master of their own (the cluster splits its slots evenly); the users spread.
    const masterOf = (slot: number) => cluster.slots[slot]![0]!;
    expect(new Set([tag, ...queueGroups].map((group) => masterOf(groups.get(group)!))).size).toBe(Math.min(queuePartitions + 1, masters));
    // (Ten users or more by now: all on one master would be a chance of 1 in 20 000, not a spread.)
    expect(userGroups.length).toBeGreaterThanOrEqual(10);
    expect(new Set(userGroups.map((group) => masterOf(groups.get(group)!))).size).toBeGreaterThan(1);
  });

  const waitForAll = async (users: ReturnType<typeof signup>[]) => {
    const store = harness.store();
    await vi.waitFor(
      async () => {
        const lists = await Promise.all(users.map((u) => store.get(u.userId)));
        expect(lists.filter((l, i) => l?.eventId === users[i]!.eventId)).toHaveLength(users.length);
      },
      { timeout: 90_000, interval: 500 },
    );
    expect(await harness.failedJobs()).toEqual([]);
    
  };

  // A clean shutdown finishes the jobs in flight whatever the Redis; on a cluster the SIGKILL
  // test below (lost locks, stalled jobs moved back) is the one that matters, and the suite's
  // time (docs/performance.md#tests) keeps this one on one Redis.
  it.runIf(masters === 0)('loses nothing when a pool gets SIGTERM with jobs in flight', async () => {
    const users = Array.from({ length: 60 }, (_, i) => signup(`e2e-term-${i}`, books[i % books.length]!));
    const recommend = harness.queue('recommend');
    await harness.publish(users);
    await vi.waitFor(async () => expect(await recommend.getActiveCount()).toBeGreaterThan(0), { timeout: 30_000, interval: 10 });
    await recommend.close();
    const terminated = harness.apps.get('worker-recommend')!;
    expect(await terminated.stop('SIGTERM')).toBe(0);
    expect(terminated.output()).toMatch(/shut down cleanly/);
    harness.start('worker-recommend');
    await waitForAll(users);
  });

  it('loses nothing when a pool is SIGKILLed with jobs in flight and started again', async () => {
    const users = Array.from({ length: 300 }, (_, i) => signup(`e2e-kill-${i}`, books[i % books.length]!));
    const embed = harness.queue('embed');
    await harness.publish(users);
    // Embed jobs take milliseconds, so a kill can land between two of them: kill again (after a
    // restart) until one catches work in flight. The killed worker's jobs hold their locks until
    // they lapse (JOB_LOCK_MS), then come back.
    let stranded = 0;
    for (let kill = 0; kill < 5 && stranded === 0; kill++) {
      if (kill > 0) harness.start('worker-embed');
      await vi.waitFor(async () => expect(await embed.getActiveCount()).toBeGreaterThan(0), { timeout: 30_000, interval: 5 });
      await harness.apps.get('worker-embed')!.stop('SIGKILL');
      stranded = await embed.getActiveCount();
    }
    await embed.close();
    // A kill really caught work in flight: jobs stay active until their locks lapse.
    expect(stranded).toBeGreaterThan(0);
    harness.start('worker-embed');
    await waitForAll(users);
  });
});
