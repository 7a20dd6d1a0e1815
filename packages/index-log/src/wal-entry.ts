/**
 * One log entry, the only definition of it: what IndexLog.readWal returns and replicas apply.
 * `id` is the stream id (its position, time-ordered); `seq` counts the entries ever appended to
 * this index's log (1, 2, …), so the distance between two positions is known even after the log
 * is trimmed. Entries written before sequence numbers existed have none. `itemId` is a userId in
 * a user-vector index.
 */
export type WalEntry = ({ op: 'upsert'; itemId: string; encoder: string; dimension: number; vector: string } | { op: 'delete'; itemId: string }) & {
  id: string;
  seq?: number;
};

/** How far an index's log reaches: what a replica compares its position with. */
export interface WalBounds {
  /** Entries ever appended (the newest entry's `seq`); 0 for an empty or unknown log. */
  appended: number;
  /** The newest entry's stream id, "0" when none. */
  lastId: string;
  /** Entries below this stream id were trimmed ("0" when never): a replica behind it must reload a snapshot. */
  trimmedBelow: string;
}

/** An entry from its stream row (XRANGE's id and flat field list), as the log scripts write it. */
export function walEntryFromStream(id: string, flat: string[]): WalEntry {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] as string, flat[i + 1] as string);
  const itemId = fields.get('itemId') ?? '';
  const seq = fields.has('seq') ? { seq: Number(fields.get('seq')) } : {};
  if (fields.get('op') === 'delete') return { id, ...seq, op: 'delete', itemId };
  return {
    id,
    ...seq,
    op: 'upsert',
    itemId,
    encoder: fields.get('encoder') ?? '',
    dimension: Number(fields.get('dimension')),
    vector: fields.get('vector') ?? '',
  };
}

/**
 * A log entry's vector: little-endian float32 as base64, the format @coldstart/embeddings writes
 * (encodeVectorBase64). Decoded here rather than imported so the writer, which has no encoder,
 * does not depend on the embeddings package; checked as strictly, since a bad vector must stop
 * replay at the entry that holds it.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeWalVector(entryId: string, base64: string, dimension: number): Float32Array {
  if (base64.length === 0 || !BASE64.test(base64)) throw new RangeError(`log entry ${entryId}: vector is not valid base64`);
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== dimension * 4) throw new RangeError(`log entry ${entryId}: vector has ${bytes.length} bytes, expected ${dimension} float32`);
  const vector = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}
