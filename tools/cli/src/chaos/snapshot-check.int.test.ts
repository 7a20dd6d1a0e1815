import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { IndexLog, Snapshotter, SnapshotStore, WalReplica } from '@coldstart/index-log';
import { CatalogStore, storeKeys } from '@coldstart/store';
import { createRedisFixture, startS3Emulator, type RedisFixture, type S3Emulator } from '@coldstart/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkSnapshots } from './snapshot-check.js';

const BUCKET = 'snapshot-check-test';
const INDEX = 'test-enc';
const vector = (i: number) => Buffer.from(new Float32Array([Math.cos(i), Math.sin(i), 0.5, (i % 7) / 7]).buffer).toString('base64');

describe('checkSnapshots: what chaos asserts about the snapshots after a run with S3 faults', () => {
  let s3: S3Emulator;
  let client: S3Client;
  let fx: RedisFixture;
  let store: SnapshotStore;
  let prefix: string;
  let catalog: CatalogStore;
  let event = 0;

  beforeAll(async () => {
    s3 = await startS3Emulator([BUCKET]);
    client = s3.client;
  });
  afterAll(async () => {
    await s3?.stop();
  });
  beforeEach(async () => {
    fx = await createRedisFixture();
    prefix = `test-${randomUUID()}`;
    store = new SnapshotStore({ client, bucket: BUCKET, prefix });
    catalog = new CatalogStore(fx.redis, fx.prefix);
  });
  afterEach(() => fx.cleanup());

  const upsert = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      event += 1;
      await catalog.upsert({
        item: { itemId: `item-${i}`, title: 't', authors: [], categories: [] },
        occurredAt: new Date(Date.UTC(2026, 0, 1) + event).toISOString(),
        eventId: `e${event}`,
        encoder: INDEX,
        dimension: 4,
        vector: vector(i),
      });
    }
  };
  const snapshot = async (index = INDEX) => {
    const replica = new WalReplica(new IndexLog(fx.redis, fx.prefix), index, { snapshots: store });
    return (await new Snapshotter({ replica, store, policy: { everyMutations: 1, everySeconds: 0 }, fencingToken: null }).snapshot())!;
  };

  it('verifies LATEST and a replica from it plus the log after it, even when the log went on past it', async () => {
    await upsert(0, 40);
    const manifest = await snapshot();
    await upsert(40, 50);
    const check = await checkSnapshots(fx.redis, fx.prefix, store, { waitMs: 0 });
    expect(check).toMatchObject({ verified: true, problems: [], catalogItems: 50, replicaItems: 50, itemDifferences: 0 });
    expect(check.indexes[0]).toMatchObject({
      index: INDEX,
      latest: { snapshotId: manifest.snapshotId, vectors: 40, sha256: manifest.sha256 },
      latestVerifies: true,
      coversLog: false,
      replica: { startedFrom: manifest.snapshotId, appliedFromLog: 10, items: 50 },
    });
  });

  it('fails when LATEST does not verify, though an older snapshot does', async () => {
    await upsert(0, 20);
    const older = await snapshot();
    await upsert(20, 30);
    const latest = await snapshot();
    // index.bin replaced after its manifest was written: the sha256 no longer matches.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${INDEX}/${latest.snapshotId}/index.bin`, Body: Buffer.alloc(latest.bytes, 7) }));
    const check = await checkSnapshots(fx.redis, fx.prefix, store, { waitMs: 0 });
    expect(check.verified).toBe(false);
    expect(check.indexes[0]).toMatchObject({ latestVerifies: false, coversLog: true, replica: { startedFrom: older.snapshotId, items: 30 } });
    expect(check.problems.join('\n')).toMatch(new RegExp(`LATEST names ${latest.snapshotId}, which does not verify: .*sha256`));
    expect(check.problems.join('\n')).toMatch(/not from LATEST/);
  });

  it('fails when a replica from the snapshots holds other items than the catalog, and when nothing was snapshotted', async () => {
    await upsert(0, 12);
    expect((await checkSnapshots(fx.redis, fx.prefix, store, { waitMs: 0 })).problems).toEqual([expect.stringMatching(/no LATEST pointer/)]);
    await snapshot();
    await fx.redis.srem(storeKeys(fx.prefix).liveItems, 'item-3');
    const check = await checkSnapshots(fx.redis, fx.prefix, store, { waitMs: 0 });
    expect(check).toMatchObject({ verified: false, catalogItems: 11, replicaItems: 12, itemDifferences: 1 });
    expect(check.problems).toEqual([expect.stringMatching(/hold 12 items, the catalog 11: 0 missing, 1 not in the catalog/)]);
  });

  it('checks every index with a log, not only the catalog\'s item indexes (user vectors), without comparing those with the items', async () => {
    await upsert(0, 5);
    await snapshot();
    const users = `users@${INDEX}`;
    // A log the writer keeps beside the item indexes, written as the store writes one.
    for (let i = 0; i < 3; i++) {
      await fx.redis.xadd(storeKeys(fx.prefix).wal(users), '*', 'seq', String(i + 1), 'op', 'upsert', 'itemId', `user-${i}`, 'encoder', INDEX, 'dimension', '4', 'vector', vector(100 + i));
    }
    const check = await checkSnapshots(fx.redis, fx.prefix, store, { waitMs: 0 });
    expect(check.indexes.map((i) => [i.index, i.kind])).toEqual([
      [INDEX, 'item'],
      [users, 'other'],
    ]);
    expect(check.problems).toEqual([expect.stringMatching(new RegExp(`index ${users}: no LATEST pointer`))]);
    const manifest = await snapshot(users);
    const after = await checkSnapshots(fx.redis, fx.prefix, store, { waitMs: 0 });
    expect(after).toMatchObject({ verified: true, catalogItems: 5, replicaItems: 5 });
    expect(after.indexes[1]).toMatchObject({ latestVerifies: true, coversLog: true, replica: { startedFrom: manifest.snapshotId, items: 3 } });
  });
});
