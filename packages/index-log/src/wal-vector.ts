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
