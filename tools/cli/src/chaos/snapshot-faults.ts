import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SnapshotStore } from '@coldstart/index-log';
import type { CliConfig } from '../config.js';
import { startS3FaultProxy, type S3FaultProxy, type S3FaultProxyStats, type S3RequestRecord } from './s3-fault-proxy.js';

/** Short enough that a run of a few minutes writes many snapshots (the defaults are 1 000 entries or 300 s). */
const SNAPSHOT_POLICY = { SNAPSHOT_EVERY_MUTATIONS: '200', SNAPSHOT_EVERY_SECONDS: '5', SNAPSHOT_KEEP: '3' };
const DELAY_MS = { min: 1_000, max: 3_000 };
const BUCKET = 'coldstart-chaos-snapshots';

/** What the pools' snapshot traffic came to, counted at the proxy. */
export interface SnapshotTraffic {
  /** index.bin uploads that reached the emulator. */
  uploads: number;
  /** LATEST moves that reached the emulator: snapshots committed. */
  pointerMoves: number;
  /** Objects of pruned snapshots deleted. */
  deletes: number;
  /** index.bin downloads: a replica (re)starting from a snapshot, in the recommend pool or the writer. */
  loads: number;
  /** Writes answered with an injected error, by what they were. */
  failedByObject: Record<string, number>;
}

export interface SnapshotFaults {
  share: number;
  errorShare: number;
  delayShare: number;
  delayMs: { min: number; max: number };
  seed: number;
  /** `s3://bucket/prefix`, as the index and recommend pools are given it. */
  url: string;
  /** Settings for the stack's processes: snapshots on, through the proxy, on a short policy. */
  appSettings: Record<string, string>;
  /** The store read directly from the emulator, bypassing the proxy: what the check trusts. */
  store: SnapshotStore;
  proxyStats(): S3FaultProxyStats;
  traffic(): SnapshotTraffic;
  close(): Promise<void>;
}

/** `<prefix>/<index>/<snapshot id>/index.bin` → "index.bin"; `<prefix>/<index>/LATEST` → "LATEST". */
const objectName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * Snapshots for a chaos run, written through a fault-injecting proxy: `share` of the writes to
 * S3 fail (half InternalError 500, half SlowDown 503) or are delayed 1–3 s, half and half. The
 * bucket is created directly on the stack's emulator (which serves S3 beside SQS), so the stack's
 * emulator must be up; the apps must not have started yet, or they would snapshot without faults.
 */
export async function startSnapshotFaults(config: CliConfig, share: number, seed = 1): Promise<SnapshotFaults> {
  const client = new S3Client({
    region: config.AWS_REGION,
    endpoint: config.SQS_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const prefix = `${config.COLDSTART_PREFIX}/snapshots`;
  const counts: SnapshotTraffic = { uploads: 0, pointerMoves: 0, deletes: 0, loads: 0, failedByObject: {} };
  const onRequest = (request: S3RequestRecord) => {
    const name = objectName(request.path);
    if (request.fault === 'InternalError' || request.fault === 'SlowDown') {
      counts.failedByObject[name] = (counts.failedByObject[name] ?? 0) + 1;
      return;
    }
    if (request.status === null || request.status >= 300) return;
    if (request.operation === null && request.method === 'GET' && name === 'index.bin') counts.loads += 1;
    if ((request.operation === 'PutObject' || request.operation === 'CompleteMultipartUpload') && name === 'index.bin') counts.uploads += 1;
    if (request.operation === 'PutObject' && name === 'LATEST') counts.pointerMoves += 1;
    if (request.operation === 'DeleteObject') counts.deletes += 1;
  };
  const errorShare = share / 2;
  const delayShare = share / 2;
  let proxy: S3FaultProxy;
  try {
    proxy = await startS3FaultProxy({ target: config.SQS_ENDPOINT, errorShare, delayShare, delayMs: DELAY_MS, seed, onRequest });
  } catch (error) {
    client.destroy();
    throw error;
  }
  const url = `s3://${BUCKET}/${prefix}`;
  return {
    share,
    errorShare,
    delayShare,
    delayMs: DELAY_MS,
    seed,
    url,
    appSettings: {
      COLDSTART_SNAPSHOTS_S3_URL: url,
      S3_ENDPOINT: proxy.endpoint,
      // The emulator takes any credentials; the SDK refuses to sign without some.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      ...SNAPSHOT_POLICY,
    },
    store: new SnapshotStore({ client, bucket: BUCKET, prefix }),
    proxyStats: () => proxy.stats(),
    traffic: () => ({ ...counts, failedByObject: { ...counts.failedByObject } }),
    async close() {
      await proxy.close();
      client.destroy();
    },
  };
}
