import { crc32 } from 'node:zlib';
import { IndexSnapshotError } from './errors.js';

/** The index's settings and progress, stored in the header as they are. */
interface IndexSettings {
  dimension: number;
  factory: string;
  nprobe: number | null;
  trainSize: number;
  candidates: number;
  /** Rows (from 0) that are in the FAISS index; the rest are still to be added. */
  faissRows: number;
}

/** Everything a FaissVectorIndex is rebuilt from; see encodeSnapshot for the byte layout. */
export interface SnapshotContent extends IndexSettings {
  /** One per row; null marks a tombstone. */
  ids: (string | null)[];
  vectors: Float32Array;
  /** The FAISS index (empty when nothing has been added yet). */
  faiss: Buffer;
  /** The empty, trained FAISS index that rebuilds start from (empty until trained). */
  template: Buffer;
}

const MAGIC = 'CSVI';
const FORMAT_VERSION = 1;

interface Header extends IndexSettings {
  rows: number;
  idsBytes: number;
  vectorsBytes: number;
  faissBytes: number;
  templateBytes: number;
}

/**
 * Layout: "CSVI", u32 format version, u32 header length, header (JSON), ids (JSON array),
 * vectors (float32 little-endian, row-major), FAISS bytes, template bytes, then a CRC-32 of
 * everything before it. The JSON header keeps the format readable and easy to extend; the
 * version says when an old reader must refuse.
 */
export function encodeSnapshot(content: SnapshotContent): Buffer {
  const ids = Buffer.from(JSON.stringify(content.ids));
  const vectors = Buffer.from(content.vectors.buffer, content.vectors.byteOffset, content.vectors.byteLength);
  const header: Header = {
    dimension: content.dimension,
    factory: content.factory,
    nprobe: content.nprobe,
    trainSize: content.trainSize,
    candidates: content.candidates,
    faissRows: content.faissRows,
    rows: content.ids.length,
    idsBytes: ids.length,
    vectorsBytes: vectors.length,
    faissBytes: content.faiss.length,
    templateBytes: content.template.length,
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(FORMAT_VERSION, 4);
  prefix.writeUInt32LE(headerBytes.length, 8);
  const body = Buffer.concat([prefix, headerBytes, ids, vectors, content.faiss, content.template]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32LE(crc32(body), 0);
  return Buffer.concat([body, checksum]);
}

export function decodeSnapshot(bytes: Buffer): SnapshotContent {
  const fail = (problem: string): never => {
    throw new IndexSnapshotError(`not a valid vector index snapshot: ${problem}`);
  };
  if (bytes.length < 16) fail(`${bytes.length} bytes is too short`);
  if (bytes.subarray(0, 4).toString('latin1') !== MAGIC) fail('wrong magic bytes');
  const version = bytes.readUInt32LE(4);
  if (version !== FORMAT_VERSION) fail(`format version ${version}, this reader knows ${FORMAT_VERSION}`);
  const body = bytes.subarray(0, bytes.length - 4);
  if (crc32(body) !== bytes.readUInt32LE(bytes.length - 4)) fail('checksum mismatch (truncated or corrupted)');

  const headerLength = bytes.readUInt32LE(8);
  let header: Header;
  try {
    header = JSON.parse(body.subarray(12, 12 + headerLength).toString('utf8')) as Header;
  } catch {
    return fail('unreadable header');
  }
  const counts = [header.dimension, header.trainSize, header.candidates, header.faissRows, header.rows, header.idsBytes, header.vectorsBytes, header.faissBytes, header.templateBytes];
  if (!counts.every((n) => Number.isSafeInteger(n) && n >= 0) || header.dimension < 1 || typeof header.factory !== 'string') fail('bad header fields');
  if (header.faissRows > header.rows) fail(`${header.faissRows} rows in FAISS but only ${header.rows} rows`);
  if (header.vectorsBytes !== header.rows * header.dimension * 4) fail(`vectors take ${header.vectorsBytes} bytes, expected ${header.rows} × ${header.dimension} float32`);
  const sections = [header.idsBytes, header.vectorsBytes, header.faissBytes, header.templateBytes];
  if (12 + headerLength + sections.reduce((a, b) => a + b, 0) !== body.length) fail('section lengths do not add up to the snapshot size');

  let offset = 12 + headerLength;
  const take = (length: number) => body.subarray(offset, (offset += length));
  let ids: unknown;
  try {
    ids = JSON.parse(take(header.idsBytes).toString('utf8'));
  } catch {
    return fail('unreadable ids');
  }
  if (!Array.isArray(ids) || ids.length !== header.rows || !ids.every((id) => id === null || (typeof id === 'string' && id.length > 0))) fail('bad ids');
  const live = (ids as (string | null)[]).filter((id) => id !== null);
  if (new Set(live).size !== live.length) fail('an id is live in two rows');
  // Copied so the vectors are aligned and do not pin the caller's buffer.
  const vectorBytes = take(header.vectorsBytes);
  const vectors = new Float32Array(header.rows * header.dimension);
  new Uint8Array(vectors.buffer).set(vectorBytes);
  return {
    dimension: header.dimension,
    factory: header.factory,
    nprobe: header.nprobe,
    trainSize: header.trainSize,
    candidates: header.candidates,
    faissRows: header.faissRows,
    ids: ids as (string | null)[],
    vectors,
    faiss: Buffer.from(take(header.faissBytes)),
    template: Buffer.from(take(header.templateBytes)),
  };
}
