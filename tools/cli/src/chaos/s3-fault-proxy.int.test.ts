import { createHash, randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { freePort, startSqsEmulator, type SqsEmulator } from '@coldstart/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startS3FaultProxy, type S3FaultProxy, type S3FaultProxyOptions, type S3RequestRecord } from './s3-fault-proxy.js';

const BUCKET = 'fault-proxy-test';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const s3 = (endpoint: string, maxAttempts?: number) =>
  new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials, ...(maxAttempts ? { maxAttempts } : {}) });
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The AWS SDK's own error for a request the proxy failed. */
async function s3Error(promise: Promise<unknown>): Promise<S3ServiceException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as S3ServiceException;
}

describe('S3 fault proxy in front of fauxqs, driven by the AWS SDK v3', () => {
  let emulator: SqsEmulator;
  let direct: S3Client;
  let proxy: S3FaultProxy | undefined;
  let client: S3Client | undefined;
  let prefix: string;
  const writes: S3RequestRecord[] = [];
  const reads: S3RequestRecord[] = [];

  const start = async (options: Omit<S3FaultProxyOptions, 'target' | 'onRequest'>, maxAttempts?: number) => {
    const onRequest = (r: S3RequestRecord) => (r.operation === null ? reads : writes).push(r);
    proxy = await startS3FaultProxy({ target: emulator.endpoint, onRequest, ...options });
    client = s3(proxy.endpoint, maxAttempts);
    return { proxy, client };
  };

  beforeAll(async () => {
    emulator = await startSqsEmulator();
    direct = s3(emulator.endpoint);
    await direct.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterEach(async () => {
    client?.destroy();
    await proxy?.close();
    writes.length = 0;
    reads.length = 0;
    prefix = '';
  });
  afterAll(async () => {
    direct?.destroy();
    await emulator?.stop();
  });
  const key = (name: string) => `${(prefix ||= `test-${randomUUID()}`)}/${name}`;

  it('with share 0 passes every request through byte for byte: put, get, list, multipart upload, delete', async () => {
    const { proxy, client } = await start({ errorShare: 0, delayShare: 0 });
    const small = Buffer.from('{"hello":"s3"}');
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key('small.json'), Body: small, ContentType: 'application/json' }));
    // 11 MiB in 5 MiB parts: CreateMultipartUpload, three UploadParts, CompleteMultipartUpload.
    const big = Buffer.alloc(11 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2_654_435_761) >>> 0, i);
    await new Upload({ client, params: { Bucket: BUCKET, Key: key('big.bin'), Body: big }, partSize: 5 * 1024 * 1024, queueSize: 2 }).done();

    const viaProxy = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key('big.bin') }));
    expect(sha(await viaProxy.Body!.transformToByteArray())).toBe(sha(big));
    const viaEmulator = await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: key('small.json') }));
    expect(await viaEmulator.Body!.transformToString()).toBe(small.toString());
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual([key('big.bin'), key('small.json')]);
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key('small.json') }));
    const head = await s3Error(direct.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key('small.json') })));
    expect(head.$metadata.httpStatusCode).toBe(404);

    expect(writes.map((w) => w.operation)).toEqual([
      'PutObject',
      'CreateMultipartUpload',
      'UploadPart',
      'UploadPart',
      'UploadPart',
      'CompleteMultipartUpload',
      'DeleteObject',
    ]);
    expect(writes.every((w) => w.fault === null && (w.status === 200 || w.status === 204))).toBe(true);
    expect(proxy.stats()).toMatchObject({ writes: 7, reads: 2, requests: 9, errorsInjected: { InternalError: 0, SlowDown: 0 }, delaysInjected: 0, upstreamFailures: 0 });
  });

  it('with share 1 fails every write with a real S3 error the SDK parses and retries, and never a read', async () => {
    await direct.send(new PutObjectCommand({ Bucket: BUCKET, Key: key('existing.txt'), Body: 'kept' }));
    const { proxy, client } = await start({ errorShare: 1, delayShare: 0, seed: 7 }, 1);

    const failures: S3ServiceException[] = [];
    for (let i = 0; i < 8; i++) failures.push(await s3Error(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(`put-${i}`), Body: `body ${i}` }))));
    failures.push(await s3Error(client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key('existing.txt') }))));
    failures.push(
      await s3Error(new Upload({ client, params: { Bucket: BUCKET, Key: key('multi.bin'), Body: Buffer.alloc(6 * 1024 * 1024) }, partSize: 5 * 1024 * 1024 }).done()),
    );
    for (const error of failures) {
      expect(['InternalError', 'SlowDown']).toContain(error.name);
      expect(error.$metadata.httpStatusCode).toBe(error.name === 'InternalError' ? 500 : 503);
      expect(error.$fault).toBe('server');
      expect(error.$metadata.requestId).toMatch(/^[0-9A-F]{16}$/);
    }
    // Seeded: both errors occur among ten writes.
    expect(new Set(failures.map((e) => e.name))).toEqual(new Set(['InternalError', 'SlowDown']));
    expect(writes[9]?.operation).toBe('CreateMultipartUpload');

    // Nothing reached the emulator; reads through the proxy still work.
    expect((await s3Error(direct.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key('put-0') })))).$metadata.httpStatusCode).toBe(404);
    const read = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key('existing.txt') }));
    expect(await read.Body!.transformToString()).toBe('kept');
    const stats = proxy.stats();
    expect(stats.writes).toBe(10);
    expect(stats.errorsInjected.InternalError + stats.errorsInjected.SlowDown).toBe(10);
    expect(stats.reads).toBe(1);
    expect(reads).toEqual([expect.objectContaining({ method: 'GET', fault: null, status: 200, delayMs: 0 })]);

    // The SDK's default retry strategy treats both as retryable: three attempts, three injected errors.
    const retrying = s3(proxy.endpoint);
    try {
      const error = await s3Error(retrying.send(new PutObjectCommand({ Bucket: BUCKET, Key: key('retried'), Body: 'x' })));
      expect(error.$metadata.attempts).toBe(3);
      expect(proxy.stats().writes).toBe(13);
    } finally {
      retrying.destroy();
    }
  });

  it('delays the writes it picks and forwards them, and leaves reads undelayed', async () => {
    const { proxy, client } = await start({ errorShare: 0, delayShare: 1, delayMs: { min: 400, max: 600 } });
    const before = Date.now();
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key('slow.txt'), Body: 'late but whole' }));
    expect(Date.now() - before).toBeGreaterThanOrEqual(400);
    const read = await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: key('slow.txt') }));
    expect(await read.Body!.transformToString()).toBe('late but whole');
    await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key('slow.txt') }));
    expect(writes).toEqual([expect.objectContaining({ operation: 'PutObject', fault: 'delay', status: 200 })]);
    expect(writes[0]!.delayMs).toBeGreaterThanOrEqual(400);
    expect(writes[0]!.delayMs).toBeLessThanOrEqual(600);
    expect(proxy.stats()).toMatchObject({ writes: 1, reads: 1, delaysInjected: 1, delayedMs: writes[0]!.delayMs });
  });

  it('faults a seeded share of writes, half errors and half delays, the same writes for the same seed', async () => {
    const run = async () => {
      const { proxy, client } = await start({ errorShare: 0.2, delayShare: 0.2, delayMs: { min: 0, max: 5 }, seed: 42 }, 1);
      for (let i = 0; i < 100; i++) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(`k-${i}`), Body: 'v' })).catch(() => undefined);
      const faults = writes.map((w) => w.fault);
      const stats = proxy.stats();
      client.destroy();
      await proxy.close();
      writes.length = 0;
      return { faults, stats };
    };
    const first = await run();
    const second = await run();
    expect(second.faults).toEqual(first.faults);
    const errors = first.stats.errorsInjected.InternalError + first.stats.errorsInjected.SlowDown;
    expect(errors).toBeGreaterThan(8);
    expect(errors).toBeLessThan(35);
    expect(first.stats.delaysInjected).toBeGreaterThan(8);
    expect(first.stats.delaysInjected).toBeLessThan(35);
    proxy = undefined;
    client = undefined;
  });

  it('answers 502 when the target does not answer, and counts it', async () => {
    proxy = await startS3FaultProxy({ target: `http://127.0.0.1:${await freePort()}`, errorShare: 0, delayShare: 0 });
    client = s3(proxy.endpoint, 1);
    const error = await s3Error(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key('any') })));
    expect(error.$metadata.httpStatusCode).toBe(502);
    expect(proxy.stats()).toMatchObject({ requests: 1, reads: 1, upstreamFailures: 1 });
  });
});
