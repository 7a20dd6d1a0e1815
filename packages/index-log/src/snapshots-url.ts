/** `s3://bucket/some/prefix` → bucket and key prefix (no trailing slash; may be empty). */
export function parseSnapshotsUrl(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*?)\/*$/.exec(url);
  if (match === null) throw new RangeError(`not an s3:// URL: ${JSON.stringify(url)}`);
  return { bucket: match[1]!, prefix: match[2]! };
}
