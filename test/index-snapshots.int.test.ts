import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  FencedWriterError,
  IndexLog,
  ReplicaSet,
  Snapshotter,
  SNAPSHOT_PART_BYTES,
  SnapshotStore,
  SnapshotVerificationError,
  WalReplica,
  WalTrimmedError,
  type SnapshotManifest,
} from '@coldstart/index-log';
import { CatalogStore } from '@coldstart/store';
import { createVectorIndex } from '@coldstart/vector-index';
import { createRedisFixture, startS3Emulator, type RedisFixture, type S3Emulator, REDIS_KINDS, useRedis } from '@coldstart/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { snapshotCreate, snapshotList, snapshotRestore } from '../apps/ops/src/snapshot/snapshot-actions.js';

const BUCKET = 'coldstart-snapshots';
const INDEX = 'test-enc';
const DIMENSION = 16;

/** Deterministic vectors, so every run searches the same space. */
function vectorFor(seed: number): Float32Array {
  let state = seed * 2_654_435_761 + 1;
  const v = new Float32Array(DIMENSION);
  for (let i = 0; i < DIMENSION; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    v[i] = state / 2 ** 30 - 1;
  }
  return v;
}
const base64 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
const queries = Array.from({ length: 12 }, (_, i) => vectorFor(10_000 + i));

let s3: S3Emulator;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Emulator([BUCKET]);
  client = s3.client;
});

afterAll(async () => {
  await s3?.stop();
});

describe.each(REDIS_KINDS)('index snapshots in S3 (fauxqs) with the write-ahead log on $redis', ({ masters }) => {
  const redis = useRedis(masters);
  let fx: RedisFixture;
  let store: SnapshotStore;
  let prefix: string;
  let writer: CatalogStore;
  /** The index log `writer` appends to, with the same fencing token. */
  let writerLog: IndexLog;
  let token: string;
  let clock = 0;

  beforeEach(async () => {
    fx = await createRedisFixture(redis.url());
    prefix = `test-${randomUUID()}`;
    // A clock that moves on every snapshot, so two snapshots never share an id.
    store = new SnapshotStore({ client, bucket: BUCKET, prefix, now: () => new Date(Date.UTC(2026, 0, 1) + (clock += 1_000)) });
    token = (await new IndexLog(fx.redis, fx.prefix).claimWriter('writer-1', 60_000))!;
    writer = new CatalogStore(fx.redis, fx.prefix, { writerToken: token });
    writerLog = new IndexLog(fx.redis, fx.prefix, { writerToken: token });
  });
  afterEach(() => fx.cleanup());

  let event = 0;
  /** What the catalog holds (item → vector seed): the ground truth replicas are compared with. */
  let model: Map<string, number>;
  beforeEach(() => {
    model = new Map();
  });
  async function upsert(catalog: CatalogStore, itemId: string, seed: number): Promise<void> {
    event += 1;
    await catalog.upsert({
      item: { itemId, title: itemId, authors: [], categories: [] },
      occurredAt: new Date(Date.UTC(2026, 0, 1) + event).toISOString(),
      eventId: `e${event}`,
      encoder: INDEX,
      dimension: DIMENSION,
      vector: base64(vectorFor(seed)),
    });
    model.set(itemId, seed);
  }
  async function remove(catalog: CatalogStore, itemId: string): Promise<void> {
    event += 1;
    await catalog.delete({ itemId, occurredAt: new Date(Date.UTC(2026, 0, 1) + event).toISOString(), eventId: `e${event}` });
    model.delete(itemId);
  }
  /** Items `from`..`to`-1, and every seventh one of them deleted again. */
  async function mutate(catalog: CatalogStore, from: number, to: number): Promise<void> {
    for (let i = from; i < to; i++) await upsert(catalog, `item-${i}`, i);
    for (let i = from; i < to; i += 7) await remove(catalog, `item-${i}`);
  }
  const snapshotterOf = (replica: WalReplica, log = writerLog, fencingToken = token) =>
    new Snapshotter({
      replica,
      store,
      policy: { everyMutations: 1, everySeconds: 3_600 },
      retention: { keep: 2, trimWal: (index, minId) => log.trimWal(index, minId) },
      fencingToken,
      fence: () => log.assertCurrentWriter(),
    });
  async function resultsOf(replica: WalReplica) {
    await replica.catchUp();
    return queries.map((q) => replica.index!.search(q, 10));
  }
  /** The answers of an exact index built from scratch from what the catalog holds now. */
  function fromScratch() {
    const index = createVectorIndex({ kind: 'flat', dimension: DIMENSION });
    for (const [itemId, seed] of model) index.upsert(itemId, vectorFor(seed));
    return queries.map((q) => index.search(q, 10));
  }

  it('snapshot → restore gives identical search results', async () => {
    await mutate(writer, 0, 60);
    const replica = new WalReplica(writerLog, INDEX, { snapshots: store });
    const manifest = (await snapshotterOf(replica).snapshot())!;
    expect(manifest).toMatchObject({ index: INDEX, encoder: INDEX, dimension: DIMENSION, factory: 'Flat', vectors: 51, fencingToken: token, walEntries: 69 });
    expect((await store.readPointer(INDEX)).pointer?.snapshotId).toBe(manifest.snapshotId);

    const restored = await store.loadNewestVerified(INDEX);
    expect(restored?.manifest).toEqual(manifest);
    const expected = fromScratch();
    expect(queries.map((q) => restored!.index.search(q, 10))).toEqual(expected);
    // A replica started from it reads nothing from the log and answers the same.
    const started = new WalReplica(writerLog, INDEX, { snapshots: store });
    expect(await resultsOf(started)).toEqual(expected);
    expect(started.startedFrom).toBe(manifest.snapshotId);
    expect(started.applied).toBe(0);
  });

  it('uploads a large index in parts of the default size (multipart) and restores it with identical search results', async () => {
    // The default part size, not a test's own: 16 MiB parts were refused by the emulator (413).
    const multipart = new SnapshotStore({ client, bucket: BUCKET, prefix });
    const dimension = 256;
    const index = createVectorIndex({ kind: 'flat', dimension });
    const random = (seed: number) => Float32Array.from({ length: dimension }, (_, i) => Math.sin(seed * 7.1 + i * 0.37) + Math.cos(seed * 0.013 * (i + 1)));
    for (let i = 0; i < 9_000; i++) index.upsert(`big-${i}`, random(i));
    const bytes = index.serialize();
    // Vectors and the FAISS copy: more than two parts.
    expect(bytes.length).toBeGreaterThan(2 * SNAPSHOT_PART_BYTES);
    const manifest = await multipart.write({ index: 'big', bytes, walSequence: '1-0', walEntries: 1, encoder: 'big', dimension, factory: 'Flat', vectors: index.size, fencingToken: null });
    const loaded = await multipart.load('big', manifest.snapshotId);
    const probes = [random(-1), random(-2), random(123.5)];
    expect(probes.map((q) => loaded.index.search(q, 10))).toEqual(probes.map((q) => index.search(q, 10)));
  });

  it('a writer that dies after writing index.bin and manifest.json but before moving LATEST leaves LATEST on the previous snapshot, and replicas start fine', async () => {
    await mutate(writer, 0, 20);
    const replica = new WalReplica(writerLog, INDEX, { snapshots: store });
    const first = (await snapshotterOf(replica).snapshot())!;
    await mutate(writer, 20, 40);
    const dies = new Snapshotter({
      replica,
      store,
      policy: { everyMutations: 1, everySeconds: 3_600 },
      fencingToken: token,
      fence: () => Promise.reject(new Error('killed between the upload and the pointer move')),
    });
    await expect(dies.snapshot()).rejects.toThrow(/killed/);
    const ids = await store.ids(INDEX);
    expect(ids).toHaveLength(2);
    expect((await store.readPointer(INDEX)).pointer?.snapshotId).toBe(first.snapshotId);

    const started = new WalReplica(writerLog, INDEX, { snapshots: store });
    expect(await resultsOf(started)).toEqual(fromScratch());
    expect(started.startedFrom).toBe(first.snapshotId);
    // The orphan is neither counted as kept nor trimmed past; the next snapshot moves on.
    const next = (await snapshotterOf(replica).snapshot())!;
    expect((await store.readPointer(INDEX)).pointer?.snapshotId).toBe(next.snapshotId);
  });

  it('detects flipped bytes in the newest snapshot, refuses to restore it, and starts replicas from the previous one', async () => {
    await mutate(writer, 0, 20);
    const replica = new WalReplica(writerLog, INDEX, { snapshots: store });
    const snapshotter = snapshotterOf(replica);
    const previous = (await snapshotter.snapshot())!;
    await mutate(writer, 20, 30);
    const newest = (await snapshotter.snapshot())!;

    const key = `${prefix}/${INDEX}/${newest.snapshotId}/index.bin`;
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));

    const refused = await store.load(INDEX, newest.snapshotId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SnapshotVerificationError);
    expect((refused as Error).message).toContain(`s3://${BUCKET}/${key} has sha256`);
    const loaded = await store.loadNewestVerified(INDEX);
    expect(loaded?.manifest.snapshotId).toBe(previous.snapshotId);

    const started = new WalReplica(writerLog, INDEX, { snapshots: store });
    expect(await resultsOf(started)).toEqual(fromScratch());
    expect(started.startedFrom).toBe(previous.snapshotId);

    const deps = { store, indexLog: writerLog, factory: 'Flat' };
    await expect(snapshotRestore(deps, INDEX, newest.snapshotId)).rejects.toThrow(new RegExp(`${newest.snapshotId}/index\\.bin has sha256`));
    // Without an id, restore repairs LATEST to the newest snapshot that verifies.
    expect((await snapshotRestore(deps, INDEX)).snapshotId).toBe(previous.snapshotId);
    expect((await store.readPointer(INDEX)).pointer?.snapshotId).toBe(previous.snapshotId);
  });

  it('refuses a snapshot whose manifest does not verify, naming the object', async () => {
    await mutate(writer, 0, 10);
    // No retention: the log stays whole, so a replica can still fall back to it.
    const replica = new WalReplica(writerLog, INDEX, { snapshots: store });
    const manifest = (await new Snapshotter({ replica, store, policy: { everyMutations: 1, everySeconds: 3_600 }, fencingToken: token }).snapshot())!;
    const key = `${prefix}/${INDEX}/${manifest.snapshotId}/manifest.json`;
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify({ ...manifest, sha256: 'not-a-hash' }) }));
    await expect(store.load(INDEX, manifest.snapshotId)).rejects.toThrow(new RegExp(`s3://${BUCKET}/${key} does not verify: sha256`));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify({ ...manifest, sha256: 'a'.repeat(64) }) }));
    await expect(snapshotRestore({ store, indexLog: writerLog, factory: 'Flat' }, INDEX, manifest.snapshotId)).rejects.toThrow(/index\.bin has sha256 [0-9a-f]{64}, its manifest says a{64}/);
    // With nothing that verifies, a replica replays the whole log…
    const fallback = new WalReplica(writerLog, INDEX, { snapshots: store });
    expect(await resultsOf(fallback)).toEqual(fromScratch());
    expect(fallback.startedFrom).toBeUndefined();
    // …and says so plainly once that log is trimmed.
    await writerLog.trimWal(INDEX, manifest.walSequence);
    await expect(new WalReplica(writerLog, INDEX, { snapshots: store }).catchUp()).rejects.toThrow(/trimmed past position 0 and no snapshot verifies/);
  });

  it('a replica started after the writer restarted catches up to the same results as one that replayed everything', async () => {
    // Follows the log from its first entry throughout, never from a snapshot.
    const tailing = new WalReplica(writerLog, INDEX);
    await mutate(writer, 0, 30);
    await tailing.catchUp();
    const firstWriter = snapshotterOf(new WalReplica(writerLog, INDEX, { snapshots: store }));
    await firstWriter.snapshot();
    await mutate(writer, 30, 50);
    await tailing.catchUp();
    await firstWriter.snapshot();
    await mutate(writer, 50, 60);
    await tailing.catchUp();

    // The writer restarts: a new process takes the lease over and rebuilds its replica from the snapshot.
    await fx.redis.del(`${fx.prefix}:index:writer:lease`);
    const token2 = (await new IndexLog(fx.redis, fx.prefix).claimWriter('writer-2', 60_000))!;
    const writer2 = new CatalogStore(fx.redis, fx.prefix, { writerToken: token2 });
    const writerLog2 = new IndexLog(fx.redis, fx.prefix, { writerToken: token2 });
    const restartedReplica = new WalReplica(writerLog2, INDEX, { snapshots: store });
    const secondWriter = snapshotterOf(restartedReplica, writerLog2, token2);
    await secondWriter.snapshot();
    expect(restartedReplica.applied).toBe(10 + 2);
    await mutate(writer2, 60, 80);
    await tailing.catchUp();
    await secondWriter.snapshot();
    await upsert(writer2, 'item-3', 999);

    const late = new WalReplica(writerLog2, INDEX, { snapshots: store });
    const expected = await resultsOf(tailing);
    expect(await resultsOf(late)).toEqual(expected);
    expect(late.startedFrom).toBeDefined();
    expect(late.position).toBe(tailing.position);
    expect(late.sequence).toBe(tailing.sequence);
    // The log before the oldest kept snapshot is gone, so replaying from the start is no longer possible.
    expect((await writerLog.walBounds(INDEX)).trimmedBelow).not.toBe('0');
  });

  it('refuses an old writer\'s log append and snapshot after a takeover (by the Redis fencing token; the S3 conditional write is not exercised: fauxqs ignores it)', async () => {
    await mutate(writer, 0, 10);
    const oldReplica = new WalReplica(writerLog, INDEX, { snapshots: store });
    const old = snapshotterOf(oldReplica);
    await old.snapshot();

    await fx.redis.del(`${fx.prefix}:index:writer:lease`);
    const token2 = (await new IndexLog(fx.redis, fx.prefix).claimWriter('writer-2', 60_000))!;
    const writer2 = new CatalogStore(fx.redis, fx.prefix, { writerToken: token2 });
    await mutate(writer2, 10, 20);

    await expect(upsert(writer, 'late', 1)).rejects.toThrow(FencedWriterError);
    const before = (await store.readPointer(INDEX)).pointer;
    await expect(old.snapshot()).rejects.toThrow(FencedWriterError);
    expect((await store.readPointer(INDEX)).pointer).toEqual(before);
    await expect(writerLog.trimWal(INDEX, (await writerLog.walBounds(INDEX)).lastId)).rejects.toThrow(FencedWriterError);
    expect((await writer.getItems(['late'])).size).toBe(0);
  });

  it('refuses to move LATEST back to an older snapshot than it names (a late writer), unless an operator restores it', async () => {
    await mutate(writer, 0, 10);
    const replica = new WalReplica(writerLog, INDEX, { snapshots: store });
    const older = (await snapshotterOf(replica).snapshot())!;
    await mutate(writer, 10, 20);
    const newer = (await snapshotterOf(replica).snapshot())!;
    await expect(store.movePointer(INDEX, older, { onlyForward: true })).rejects.toThrow(/not moving it back/);
    expect((await snapshotRestore({ store, indexLog: writerLog, factory: 'Flat' }, INDEX, older.snapshotId)).snapshotId).toBe(older.snapshotId);
    expect((await snapshotList({ store, indexLog: writerLog, factory: 'Flat' }, INDEX)).map((s) => [s.snapshotId, s.latest])).toEqual([
      [older.snapshotId, true],
      [newer.snapshotId, false],
    ]);
  });

  it('trims the log only below the oldest kept snapshot, and a replica behind the trim point restarts from a snapshot', async () => {
    const replica = new WalReplica(writerLog, INDEX, { snapshots: store });
    const snapshotter = snapshotterOf(replica);
    const behind = new WalReplica(writerLog, INDEX, { snapshots: store });
    const unsnapshotted = new WalReplica(writerLog, INDEX);
    await mutate(writer, 0, 5);
    await behind.catchUp();
    await unsnapshotted.catchUp();

    const manifests: SnapshotManifest[] = [];
    for (let round = 0; round < 4; round++) {
      await mutate(writer, 5 + round * 10, 15 + round * 10);
      manifests.push((await snapshotter.snapshot())!);
      const kept = manifests.slice(-2);
      expect((await store.ids(INDEX)).length).toBe(kept.length);
      const [first] = await writerLog.readWal(INDEX, '0', 1);
      // keep = 2: the first entry left is the oldest kept snapshot's own position.
      expect(first?.id).toBe(kept[0]!.walSequence);
    }
    expect(await store.ids(INDEX)).toEqual(manifests.slice(-2).map((m) => m.snapshotId));

    const expected = await resultsOf(replica);
    expect(await resultsOf(behind)).toEqual(expected);
    expect(behind.startedFrom).toBe(manifests[3]!.snapshotId);
    await expect(unsnapshotted.catchUp()).rejects.toThrow(WalTrimmedError);
    await expect(unsnapshotted.catchUp()).rejects.toThrow(/trimmed past position .* no snapshot store is configured/);
  });

  it('prunes past a failed upload below LATEST: it keeps the last complete snapshots and trims the log only below them', async () => {
    const replica = new WalReplica(writerLog, INDEX, { snapshots: store });
    const snapshotter = snapshotterOf(replica);
    await mutate(writer, 0, 10);
    const first = (await snapshotter.snapshot())!;
    await mutate(writer, 10, 20);
    const second = (await snapshotter.snapshot())!;
    // An upload that died after index.bin, before its manifest: it sorts between second and third.
    const orphan = second.snapshotId.replace(/-(\d{15})$/, (_, ms: string) => `-${String(Number(ms) + 1).padStart(15, '0')}`);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${INDEX}/${orphan}/index.bin`, Body: Buffer.from('partial') }));
    await mutate(writer, 20, 30);
    const third = (await snapshotter.snapshot())!;

    // keep = 2 counts second and third; the orphan is deleted, not kept in second's place.
    expect(await store.ids(INDEX)).toEqual([second.snapshotId, third.snapshotId]);
    const [firstEntry] = await writerLog.readWal(INDEX, '0', 1);
    expect(firstEntry?.id).toBe(second.walSequence);
    expect(first.snapshotId < second.snapshotId).toBe(true);
    // With LATEST unreadable, a replica still starts from second and replays the log after it.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${INDEX}/${third.snapshotId}/index.bin`, Body: Buffer.from('flipped') }));
    const restarted = new WalReplica(writerLog, INDEX, { snapshots: store });
    expect(await resultsOf(restarted)).toEqual(fromScratch());
    expect(restarted.startedFrom).toBe(second.snapshotId);
  });

  it('coldstart snapshot create writes from the log with the writer\'s code, and list shows it as LATEST', async () => {
    await mutate(writer, 0, 15);
    const deps = { store, indexLog: writerLog, factory: 'Flat' };
    await expect(snapshotCreate(deps, 'no-such-index')).rejects.toThrow(/nothing to snapshot/);
    const manifest = await snapshotCreate(deps, INDEX);
    expect(manifest.fencingToken).toBeNull();
    expect(await snapshotList(deps, INDEX)).toEqual([{ snapshotId: manifest.snapshotId, manifest, latest: true }]);
    const replicas = new ReplicaSet(writerLog, { snapshots: store });
    expect(await resultsOf(replicas.forEncoder(INDEX))).toEqual(fromScratch());
  });
});
