import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { deserializeVectorIndex, type VectorIndex } from '@coldstart/vector-index';
import { SnapshotPointerConflictError, SnapshotVerificationError } from './snapshot-errors.js';
import { SnapshotManifest, SnapshotPointer } from './snapshot-manifest.js';
import { compareStreamIds, snapshotIdFor, walSequenceOfSnapshotId } from './stream-id.js';

/** Structural, so a pino logger fits without this package depending on it. */
export interface SnapshotLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface SnapshotInput {
  index: string;
  /** VectorIndex.serialize(): the vectors, the id map and the FAISS index. */
  bytes: Buffer;
  walSequence: string;
  walEntries: number;
  encoder: string;
  dimension: number;
  factory: string;
  vectors: number;
  fencingToken: string | null;
  /**
   * Runs right before the pointer moves and throws if this writer was deposed. Real S3 also
   * refuses the pointer write if another writer moved it first (IfMatch / IfNoneMatch); S3
   * emulators that ignore conditions (fauxqs) leave this check as the only guard.
   */
  fence?: () => Promise<void>;
}

export interface LoadedSnapshot {
  manifest: SnapshotManifest;
  index: VectorIndex;
}

export interface SnapshotListing {
  snapshotId: string;
  /** Undefined when the manifest is missing or does not parse. */
  manifest: SnapshotManifest | undefined;
  latest: boolean;
}

const LATEST = 'LATEST';
/**
 * Parts of a multipart upload; smaller bodies go in one PUT. S3 takes 5 MiB to 5 GiB per part and
 * 10,000 parts, so 8 MiB parts carry up to 78 GiB (a 1M × 768 Flat index is about 6 GB). The
 * local emulator (fauxqs) refuses bodies over 11 MiB with 413, which 16 MiB parts hit at 100k
 * vectors: the snapshot then never completed on the local stack.
 */
export const SNAPSHOT_PART_BYTES = 8 * 1024 * 1024;

const isMissing = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404);

const isConditionFailure = (error: unknown): boolean => {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error instanceof Error && (error.name === 'PreconditionFailed' || error.name === 'ConditionalRequestConflict' || status === 412 || status === 409);
};

/**
 * Snapshots of the vector indexes in S3, one versioned prefix each:
 * `<prefix>/<index>/<snapshot id>/index.bin` and `manifest.json`, and `<prefix>/<index>/LATEST`
 * naming the snapshot replicas start from. A snapshot's objects are written first and the
 * pointer moved last, so a writer that dies in between leaves LATEST on the previous snapshot.
 * Snapshot ids sort like the log positions they cover.
 */
export class SnapshotStore {
  private readonly base: string;

  constructor(
    private readonly options: { client: S3Client; bucket: string; prefix: string; logger?: SnapshotLogger; now?: () => Date; partBytes?: number },
  ) {
    this.base = options.prefix === '' ? '' : `${options.prefix.replace(/\/+$/, '')}/`;
  }

  private key(index: string, ...parts: string[]): string {
    return `${this.base}${[index, ...parts].join('/')}`;
  }

  private where(key: string): string {
    return `s3://${this.options.bucket}/${key}`;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Uploads a snapshot and then moves LATEST to it; returns its manifest. */
  async write(input: SnapshotInput): Promise<SnapshotManifest> {
    const { client, bucket } = this.options;
    const snapshotId = snapshotIdFor(input.walSequence, this.now());
    const manifest: SnapshotManifest = SnapshotManifest.parse({
      format: 1,
      index: input.index,
      snapshotId,
      createdAt: this.now().toISOString(),
      walSequence: input.walSequence,
      walEntries: input.walEntries,
      encoder: input.encoder,
      dimension: input.dimension,
      factory: input.factory,
      vectors: input.vectors,
      bytes: input.bytes.length,
      sha256: createHash('sha256').update(input.bytes).digest('hex'),
      fencingToken: input.fencingToken,
    });
    // lib-storage sends one PUT below a part's size and a multipart upload above it.
    await new Upload({
      client,
      params: { Bucket: bucket, Key: this.key(input.index, snapshotId, 'index.bin'), Body: input.bytes, ContentType: 'application/octet-stream' },
      partSize: this.options.partBytes ?? SNAPSHOT_PART_BYTES,
      queueSize: 2,
    }).done();
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: this.key(input.index, snapshotId, 'manifest.json'), Body: JSON.stringify(manifest, null, 2), ContentType: 'application/json' }),
    );
    await input.fence?.();
    await this.movePointer(input.index, manifest, { onlyForward: true });
    this.options.logger?.info({ index: input.index, snapshotId, walSequence: input.walSequence, bytes: manifest.bytes }, 'snapshot written');
    return manifest;
  }

  /** Snapshot ids of `index`, oldest first (whether or not they verify). */
  async ids(index: string): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    const prefix = `${this.key(index)}/`;
    do {
      const page = await this.options.client.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const common of page.CommonPrefixes ?? []) {
        const id = common.Prefix?.slice(prefix.length).replace(/\/$/, '');
        if (id !== undefined && /^\d{15}-\d{6,}-\d{15}$/.test(id)) ids.push(id);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return ids.sort();
  }

  /** Every snapshot with its manifest (unverified: `load` checks the bytes), oldest first. */
  async list(index: string): Promise<SnapshotListing[]> {
    const [ids, pointer] = await Promise.all([this.ids(index), this.readPointer(index)]);
    return Promise.all(
      ids.map(async (snapshotId) => ({
        snapshotId,
        manifest: await this.readManifest(index, snapshotId).catch((error: unknown) => {
          if (error instanceof SnapshotVerificationError) return undefined;
          throw error;
        }),
        latest: pointer.pointer?.snapshotId === snapshotId,
      })),
    );
  }

  /** The LATEST pointer (undefined if absent or unreadable) and its ETag for a conditional replace. */
  async readPointer(index: string): Promise<{ pointer?: SnapshotPointer; etag?: string }> {
    const key = this.key(index, LATEST);
    try {
      const response = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      const text = (await response.Body?.transformToString('utf8')) ?? '';
      const etag = response.ETag;
      const parsed = SnapshotPointer.safeParse(safeJson(text));
      if (!parsed.success) {
        this.options.logger?.warn({ object: this.where(key) }, 'snapshot pointer does not parse; ignoring it');
        return etag ? { etag } : {};
      }
      return { pointer: parsed.data, ...(etag ? { etag } : {}) };
    } catch (error) {
      if (isMissing(error)) return {};
      throw error;
    }
  }

  /**
   * Points LATEST at a snapshot with a conditional write: IfMatch the ETag read just before, or
   * IfNoneMatch '*' when there was none, so of two writers racing only one wins on real S3.
   * `onlyForward` refuses a snapshot older than the current one (a deposed writer's late write).
   */
  async movePointer(index: string, target: { snapshotId: string; walSequence: string }, options: { onlyForward: boolean }): Promise<void> {
    const key = this.key(index, LATEST);
    const current = await this.readPointer(index);
    if (options.onlyForward && current.pointer && compareStreamIds(target.walSequence, current.pointer.walSequence) < 0) {
      throw new SnapshotPointerConflictError(
        `${this.where(key)} already names snapshot ${current.pointer.snapshotId} at log position ${current.pointer.walSequence}; not moving it back to ${target.snapshotId} at ${target.walSequence}`,
      );
    }
    const pointer: SnapshotPointer = { snapshotId: target.snapshotId, walSequence: target.walSequence, movedAt: this.now().toISOString() };
    try {
      await this.options.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: JSON.stringify(pointer),
          ContentType: 'application/json',
          ...(current.etag ? { IfMatch: current.etag } : { IfNoneMatch: '*' }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new SnapshotPointerConflictError(`${this.where(key)} changed while moving it to ${target.snapshotId}: another writer moved it first`, { cause: error });
      }
      throw error;
    }
  }

  /** The manifest, schema-checked and matching its place; SnapshotVerificationError otherwise. */
  async readManifest(index: string, snapshotId: string): Promise<SnapshotManifest> {
    const key = this.key(index, snapshotId, 'manifest.json');
    const text = (await this.getObject(key)).toString('utf8');
    const parsed = SnapshotManifest.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new SnapshotVerificationError(`${this.where(key)} does not verify: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    if (parsed.data.index !== index || parsed.data.snapshotId !== snapshotId) {
      throw new SnapshotVerificationError(`${this.where(key)} describes ${parsed.data.index}/${parsed.data.snapshotId}, not ${index}/${snapshotId}`);
    }
    return parsed.data;
  }

  /**
   * Downloads and verifies one snapshot: manifest schema, byte count, sha256, then the vector
   * index's own header and CRC while deserialising, and the dimension and vector count against
   * the manifest. Refuses (SnapshotVerificationError naming the object) anything that does not verify.
   */
  async load(index: string, snapshotId: string): Promise<LoadedSnapshot> {
    const manifest = await this.readManifest(index, snapshotId);
    const key = this.key(index, snapshotId, 'index.bin');
    const bytes = await this.getObject(key);
    if (bytes.length !== manifest.bytes) throw new SnapshotVerificationError(`${this.where(key)} has ${bytes.length} bytes, its manifest says ${manifest.bytes}`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== manifest.sha256) throw new SnapshotVerificationError(`${this.where(key)} has sha256 ${sha256}, its manifest says ${manifest.sha256}`);
    let vectorIndex: VectorIndex;
    try {
      vectorIndex = deserializeVectorIndex(bytes);
    } catch (error) {
      throw new SnapshotVerificationError(`${this.where(key)} does not deserialise: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (vectorIndex.dimension !== manifest.dimension || vectorIndex.size !== manifest.vectors) {
      throw new SnapshotVerificationError(
        `${this.where(key)} holds ${vectorIndex.size} × ${vectorIndex.dimension}-d vectors, its manifest says ${manifest.vectors} × ${manifest.dimension}`,
      );
    }
    return { manifest, index: vectorIndex };
  }

  /**
   * The snapshot a replica should start from: the one LATEST names, else (no pointer) the newest
   * by id; one that does not verify is logged and the next older one tried. Snapshots newer than
   * LATEST are ignored: their writer never committed them. Undefined when none verifies.
   */
  async loadNewestVerified(index: string): Promise<LoadedSnapshot | undefined> {
    const [ids, { pointer }] = await Promise.all([this.ids(index), this.readPointer(index)]);
    const candidates = pointer ? [pointer.snapshotId, ...ids.filter((id) => id < pointer.snapshotId).reverse()] : ids.reverse();
    for (const snapshotId of candidates) {
      try {
        return await this.load(index, snapshotId);
      } catch (error) {
        if (!(error instanceof SnapshotVerificationError)) throw error;
        this.options.logger?.warn({ index, snapshotId, reason: error.message }, 'snapshot does not verify; trying the previous one');
      }
    }
    return undefined;
  }

  /**
   * Keeps the `keep` newest complete snapshots (with a manifest) at or before LATEST, and any
   * newer, uncommitted ones, which a writer may still be finishing; deletes the older ones and the
   * incomplete ones below LATEST (an upload that failed before its manifest: nothing can load it,
   * and no writer can point LATEST back at it). Returns the oldest kept one's log position: the
   * log may be trimmed below it, never further. Counting an incomplete snapshot among the kept
   * would trim the log past the last snapshot that can actually be restored.
   */
  async prune(index: string, keep: number): Promise<{ snapshotId: string; walSequence: string } | undefined> {
    if (!Number.isSafeInteger(keep) || keep < 1) throw new RangeError(`keep must be a positive integer, got ${keep}`);
    const [ids, { pointer }] = await Promise.all([this.ids(index), this.readPointer(index)]);
    const committed = pointer ? ids.filter((id) => id <= pointer.snapshotId) : ids;
    const kept: string[] = [];
    const incomplete: string[] = [];
    for (const snapshotId of [...committed].reverse()) {
      if (kept.length === keep) break;
      if (await this.hasManifest(index, snapshotId)) kept.unshift(snapshotId);
      else if (pointer && snapshotId < pointer.snapshotId) incomplete.push(snapshotId);
    }
    const oldest = kept[0];
    if (oldest === undefined) return undefined;
    for (const snapshotId of [...ids.filter((id) => id < oldest), ...incomplete]) {
      // The manifest goes first, so a half-deleted snapshot fails verification instead of loading.
      for (const name of ['manifest.json', 'index.bin']) {
        await this.options.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(index, snapshotId, name) }));
      }
      this.options.logger?.info({ index, snapshotId }, 'snapshot pruned');
    }
    return { snapshotId: oldest, walSequence: walSequenceOfSnapshotId(oldest) };
  }

  private async hasManifest(index: string, snapshotId: string): Promise<boolean> {
    try {
      await this.options.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(index, snapshotId, 'manifest.json') }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  private async getObject(key: string): Promise<Buffer> {
    try {
      const response = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      if (response.Body === undefined) throw new SnapshotVerificationError(`${this.where(key)}: empty response`);
      return Buffer.from(await response.Body.transformToByteArray());
    } catch (error) {
      if (isMissing(error)) throw new SnapshotVerificationError(`${this.where(key)} is missing`, { cause: error });
      throw error;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
