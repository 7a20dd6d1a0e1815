import { randomUUID } from 'node:crypto';
import { FencedWriterError, IndexLog, SnapshotStore, WalReplica } from '@coldstart/index-log';
import { CatalogStore } from '@coldstart/store';
import { createRedisFixture, freePort, startApp, startS3Emulator, type AppProcess, type RedisFixture, type S3Emulator, REDIS_KINDS, useRedis } from '@coldstart/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const BUCKET = 'coldstart-writer-snapshots';
const INDEX = 'test-enc';
const vector = (i: number) => Buffer.from(new Float32Array([Math.cos(i), Math.sin(i), 0.5]).buffer).toString('base64');

/** worker-index as its own process: the single-writer lease, and its snapshot loop against fauxqs. */
describe.each(REDIS_KINDS)('worker-index as the single writer that snapshots, on $redis', ({ masters }) => {
  const redis = useRedis(masters);
  let fx: RedisFixture;
  let s3: S3Emulator;
  const running: AppProcess[] = [];

  beforeAll(async () => {
    fx = await createRedisFixture(redis.url());
    s3 = await startS3Emulator([BUCKET]);
  });

  afterAll(async () => {
    await Promise.all(running.map((app) => app.stop('SIGKILL')));
    await s3?.stop();
    await fx?.cleanup();
  });

  /** worker-index with its keys under `keyPrefix`, snapshotting under `prefix` of the bucket every 5 log entries or 2 s. */
  async function startWriter(prefix: string, keyPrefix: string) {
    const port = await freePort();
    const app = startApp('worker-index', {
      REDIS_URL: redis.url(),
      COLDSTART_PREFIX: keyPrefix,
      METRICS_PORT: String(port),
      COLDSTART_SNAPSHOTS_S3_URL: `s3://${BUCKET}/${prefix}`,
      S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      SNAPSHOT_EVERY_MUTATIONS: '5',
      // Entries short of the next 5 still reach a snapshot, so the test can wait for the newest.
      SNAPSHOT_EVERY_SECONDS: '2',
      SNAPSHOT_KEEP: '2',
      WRITER_LEASE_MS: '2000',
      LOG_LEVEL: 'info',
    });
    running.push(app);
    return { app, readyz: async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status };
  }

  it('one process writes while another stands by, snapshots and trims the log below the oldest kept snapshot, and the standby takes over after SIGTERM', async () => {
    const prefix = `test-${randomUUID()}`;
    const start = () => startWriter(prefix, fx.prefix);
    const first = await start();
    await vi.waitFor(async () => expect(await first.readyz()).toBe(200), { timeout: 20_000, interval: 100 });
    const second = await start();
    await vi.waitFor(() => expect(second.app.output()).toMatch(/standing by/), { timeout: 20_000, interval: 100 });
    expect(await second.readyz()).toBe(503);

    // Appends as the first process's jobs would make them: with its fencing token.
    const firstToken = (await fx.redis.get(`${fx.prefix}:index:writer:token`))!;
    const asFirst = new CatalogStore(fx.redis, fx.prefix, { writerToken: firstToken });
    const indexLog = new IndexLog(fx.redis, fx.prefix);
    for (let i = 0; i < 12; i++) {
      await asFirst.upsert({ item: { itemId: `item-${i}`, title: 't', authors: [], categories: [] }, occurredAt: '2026-01-01T00:00:00Z', eventId: `e${i}`, encoder: INDEX, dimension: 3, vector: vector(i) });
    }
    const store = new SnapshotStore({ client: s3.client, bucket: BUCKET, prefix });
    await vi.waitFor(
      async () => {
        const { pointer } = await store.readPointer(INDEX);
        expect(pointer?.walSequence).toBe((await indexLog.walBounds(INDEX)).lastId);
      },
      { timeout: 20_000, interval: 200 },
    );
    // The writer prunes old snapshots and trims the log after it moves the pointer: wait for both.
    await vi.waitFor(
      async () => {
        const kept = await store.ids(INDEX);
        expect(kept.length).toBeGreaterThanOrEqual(1);
        expect(kept.length).toBeLessThanOrEqual(2);
        const oldest = await store.readManifest(INDEX, kept[0]!);
        expect(oldest.fencingToken).toBe(firstToken);
        expect((await indexLog.walBounds(INDEX)).trimmedBelow).toBe(oldest.walSequence);
      },
      { timeout: 20_000, interval: 200 },
    );

    expect(await first.app.stop('SIGTERM')).toBe(0);
    await vi.waitFor(async () => expect(await second.readyz()).toBe(200), { timeout: 20_000, interval: 100 });
    const secondToken = await fx.redis.get(`${fx.prefix}:index:writer:token`);
    expect(Number(secondToken)).toBeGreaterThan(Number(firstToken));
    await expect(
      asFirst.upsert({ item: { itemId: 'late', title: 't', authors: [], categories: [] }, occurredAt: '2026-01-01T00:00:00Z', eventId: 'late', encoder: INDEX, dimension: 3, vector: vector(99) }),
    ).rejects.toThrow(FencedWriterError);

    const replica = new WalReplica(indexLog, INDEX, { snapshots: store });
    await replica.catchUp();
    expect(replica.startedFrom).toBe((await store.readPointer(INDEX)).pointer?.snapshotId);
    expect(replica.index?.size).toBe(12);
    expect(second.app.output()).toMatch(/this process is the writer/);
  });

  it('snapshots in a process of its own: killed, it is started again and snapshots go on; the writer\'s SIGTERM stops it too', async () => {
    // Keys of its own: the first test's standby is still the writer of fx.prefix.
    const own = await createRedisFixture(redis.url());
    try {
      const prefix = `test-${randomUUID()}`;
      const writer = await startWriter(prefix, own.prefix);
      await vi.waitFor(async () => expect(await writer.readyz()).toBe(200), { timeout: 20_000, interval: 100 });
      const snapshotterPids = () => [...writer.app.output().matchAll(/"snapshotterPid":(\d+)/g)].map((m) => Number(m[1]));
      await vi.waitFor(() => expect(snapshotterPids()).toHaveLength(1), { timeout: 10_000, interval: 100 });
      const [firstPid] = snapshotterPids();
      expect(firstPid).not.toBe(writer.app.child.pid);

      const token = (await own.redis.get(`${own.prefix}:index:writer:token`))!;
      const asWriter = new CatalogStore(own.redis, own.prefix, { writerToken: token });
      const indexLog = new IndexLog(own.redis, own.prefix);
      const store = new SnapshotStore({ client: s3.client, bucket: BUCKET, prefix });
      const upsertAndWaitForSnapshot = async (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          await asWriter.upsert({ item: { itemId: `item-${i}`, title: 't', authors: [], categories: [] }, occurredAt: '2026-01-01T00:00:00Z', eventId: `e${i}`, encoder: INDEX, dimension: 3, vector: vector(i) });
        }
        await vi.waitFor(async () => expect((await store.readPointer(INDEX)).pointer?.walSequence).toBe((await indexLog.walBounds(INDEX)).lastId), { timeout: 20_000, interval: 200 });
      };
      await upsertAndWaitForSnapshot(0, 6);

      process.kill(firstPid!, 'SIGKILL');
      await vi.waitFor(() => expect(snapshotterPids()).toHaveLength(2), { timeout: 10_000, interval: 100 });
      expect(writer.app.output()).toMatch(/snapshotter process exited; starting it again/);
      // The writer itself never stopped, and the new snapshotter picks up where the log is.
      expect(await writer.readyz()).toBe(200);
      await upsertAndWaitForSnapshot(6, 14);
      const manifest = await store.readManifest(INDEX, (await store.readPointer(INDEX)).pointer!.snapshotId);
      expect(manifest).toMatchObject({ vectors: 14, fencingToken: token });

      const secondPid = snapshotterPids()[1]!;
      expect(await writer.app.stop('SIGTERM')).toBe(0);
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      await vi.waitFor(() => expect(alive(secondPid)).toBe(false), { timeout: 15_000, interval: 100 });
    } finally {
      await own.cleanup();
    }
  });
});
