import { describe, expect, it } from 'vitest';
import { parseSnapshotsUrl } from './snapshots-url.js';

describe('parseSnapshotsUrl', () => {
  it('splits bucket and prefix, without trailing slashes', () => {
    expect(parseSnapshotsUrl('s3://bucket/index/snapshots/')).toEqual({ bucket: 'bucket', prefix: 'index/snapshots' });
    expect(parseSnapshotsUrl('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(() => parseSnapshotsUrl('https://bucket/x')).toThrow(/not an s3:\/\/ URL/);
  });
});
