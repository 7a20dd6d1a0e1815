/**
 * Redis stream ids (`<ms>-<seq>`) as the write-ahead log's positions. Plain string comparison
 * gets them wrong ("9-0" > "10-0"), so they are compared as number pairs.
 */
function parts(id: string): [bigint, bigint] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(id);
  if (match === null) throw new RangeError(`not a stream id: ${JSON.stringify(id)}`);
  return [BigInt(match[1]!), BigInt(match[2] ?? 0)];
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}

/** When the entry was appended (ms since the epoch): a stream id's time part. */
export function streamIdMs(id: string): number {
  return Number(parts(id)[0]);
}

/**
 * A snapshot id that sorts (as a string) like the log position it covers, then by when it was
 * written: zero-padded stream id parts and a time suffix, so two snapshots of one position (a
 * writer and `coldstart snapshot create`) never share a prefix.
 */
export function snapshotIdFor(walSequence: string, now: Date): string {
  const [ms, seq] = parts(walSequence);
  return `${ms.toString().padStart(15, '0')}-${seq.toString().padStart(6, '0')}-${now.getTime().toString().padStart(15, '0')}`;
}



/** The log position a snapshot id was made from (see snapshotIdFor). */
export function walSequenceOfSnapshotId(snapshotId: string): string {
  const match = /^(\d{15})-(\d{6,})-\d{15}$/.exec(snapshotId);
  if (match === null) throw new RangeError(`not a snapshot id: ${JSON.stringify(snapshotId)}`);
  return `${BigInt(match[1]!).toString()}-${BigInt(match[2]!).toString()}`;
}
