import { describe, expect, it } from 'vitest';
import { s3ErrorBody, s3WriteOperation } from './s3-fault-proxy.js';

describe('s3WriteOperation', () => {
  it('counts GET, HEAD and OPTIONS as reads, whatever they address', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(s3WriteOperation(method, '/bucket/key', {})).toBeNull();
      expect(s3WriteOperation(method, '/bucket?list-type=2&prefix=a', {})).toBeNull();
    }
  });

  it('tells the writes apart by method, query and headers (path-style)', () => {
    expect(s3WriteOperation('PUT', '/bucket/a/b/LATEST?x-id=PutObject', {})).toBe('PutObject');
    expect(s3WriteOperation('PUT', '/bucket/a/copy', { 'x-amz-copy-source': '/bucket/a/b' })).toBe('CopyObject');
    expect(s3WriteOperation('POST', '/bucket/a/index.bin?uploads', {})).toBe('CreateMultipartUpload');
    expect(s3WriteOperation('PUT', '/bucket/a/index.bin?partNumber=2&uploadId=u1', {})).toBe('UploadPart');
    expect(s3WriteOperation('POST', '/bucket/a/index.bin?uploadId=u1', {})).toBe('CompleteMultipartUpload');
    expect(s3WriteOperation('DELETE', '/bucket/a/index.bin?uploadId=u1', {})).toBe('AbortMultipartUpload');
    expect(s3WriteOperation('DELETE', '/bucket/a/manifest.json?x-id=DeleteObject', {})).toBe('DeleteObject');
    expect(s3WriteOperation('POST', '/bucket?delete', {})).toBe('DeleteObjects');
    expect(s3WriteOperation('PUT', '/bucket', {})).toBe('BucketWrite');
    expect(s3WriteOperation('DELETE', '/bucket/', {})).toBe('BucketWrite');
  });
});

describe('s3ErrorBody', () => {
  it('is S3\'s error document, with the resource escaped', () => {
    expect(s3ErrorBody('SlowDown', 'Please reduce your request rate.', '/b/k&<1>', 'ABCDEF0123456789')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><Resource>/b/k&#38;&#60;1&#62;</Resource><RequestId>ABCDEF0123456789</RequestId></Error>',
    );
  });
});
