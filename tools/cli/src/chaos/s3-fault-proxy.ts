import { randomBytes } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '@coldstart/runtime';

/** The two errors S3 answers when it cannot take a request now; the AWS SDK retries both. */
export const S3_FAULT_ERRORS = {
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  SlowDown: { status: 503, message: 'Please reduce your request rate.' },
} as const;
export type S3FaultError = keyof typeof S3_FAULT_ERRORS;

export interface S3FaultProxyOptions {
  /** The S3 endpoint every request is forwarded to, e.g. the emulator's `http://127.0.0.1:4566`. */
  target: string;
  /** Share of write requests answered with an S3 error instead (half InternalError, half SlowDown). */
  errorShare: number;
  /** Share of write requests forwarded only after a delay; errors and delays exclude each other. */
  delayShare: number;
  /** A delay is drawn uniformly from this range. Default 1–3 s. */
  delayMs?: { min: number; max: number };
  /** Which writes are faulted, and how, is a function of the seed and the order writes arrive in. */
  seed?: number;
  /** Default 0: a free port. Listens on loopback only. */
  port?: number;
  /** Every request once answered (its status known), faulted or not, reads included. */
  onRequest?: (request: S3RequestRecord) => void;
}

/** The S3 operations this proxy counts as writes, told apart by method, query and headers. */
export type S3WriteOperation =
  | 'PutObject'
  | 'CopyObject'
  | 'UploadPart'
  | 'CreateMultipartUpload'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'BucketWrite';

export interface S3RequestRecord {
  /** Null for a read. */
  operation: S3WriteOperation | null;
  method: string;
  /** The request path without its query: `/bucket/key` (path-style). */
  path: string;
  fault: S3FaultError | 'delay' | null;
  delayMs: number;
  /** The status the client got: the injected error's, or the target's; null if the target never answered. */
  status: number | null;
}

export interface S3FaultProxyStats {
  requests: number;
  /** GET, HEAD and OPTIONS: always forwarded untouched. */
  reads: number;
  writes: number;
  errorsInjected: Record<S3FaultError, number>;
  delaysInjected: number;
  /** Sum of the injected delays. */
  delayedMs: number;
  /** Requests the target did not answer (502 returned). */
  upstreamFailures: number;
}

export interface S3FaultProxy {
  /** The proxy's URL, for S3_ENDPOINT (path-style). */
  endpoint: string;
  stats(): S3FaultProxyStats;
  /** Stops listening and drops open connections and pending delays. Idempotent. */
  close(): Promise<void>;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Null for a read; otherwise which S3 write the request is (path-style addressing). */
export function s3WriteOperation(method: string, url: string, headers: IncomingMessage['headers']): S3WriteOperation | null {
  if (READS.has(method)) return null;
  const parsed = new URL(url, 'http://proxy');
  const query = parsed.searchParams;
  const hasKey = /^\/*[^/]+\/./.test(parsed.pathname);
  if (method === 'POST') {
    if (query.has('uploads')) return 'CreateMultipartUpload';
    if (query.has('uploadId')) return 'CompleteMultipartUpload';
    if (query.has('delete')) return 'DeleteObjects';
  }
  if (method === 'PUT' && query.has('uploadId') && query.has('partNumber')) return 'UploadPart';
  if (method === 'DELETE' && query.has('uploadId')) return 'AbortMultipartUpload';
  if (!hasKey) return 'BucketWrite';
  if (method === 'DELETE') return 'DeleteObject';
  if (method === 'PUT') return headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
  // POST object (browser form uploads) and anything else that changes state.
  return 'PutObject';
}

const xmlEscape = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** S3's error document, as real S3 sends it with a 5xx. */
export function s3ErrorBody(code: string, message: string, resource: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message><Resource>${xmlEscape(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`
  );
}

/**
 * An HTTP proxy in front of an S3 endpoint that fails or slows a seeded share of the writes:
 * it forwards each request as it came (method, path, raw headers, body bytes) and the answer
 * as it came, except that a chosen write is either answered with S3's own InternalError (500)
 * or SlowDown (503) error document, its body read and dropped, or forwarded after a delay.
 * Reads are never touched. Being a proxy rather than a mock, everything else (signatures,
 * checksums, multipart, listing) is whatever the target does.
 */
export async function startS3FaultProxy(options: S3FaultProxyOptions): Promise<S3FaultProxy> {
  const { errorShare, delayShare } = options;
  const delay = options.delayMs ?? { min: 1_000, max: 3_000 };
  if (!(errorShare >= 0 && delayShare >= 0 && errorShare + delayShare <= 1)) {
    throw new RangeError(`errorShare (${errorShare}) and delayShare (${delayShare}) must be shares that sum to at most 1`);
  }
  if (!(delay.min >= 0 && delay.min <= delay.max)) throw new RangeError(`delayMs must be a range with 0 <= min <= max, got ${JSON.stringify(delay)}`);
  const target = new URL(options.target);
  if (target.protocol !== 'http:') throw new RangeError(`the S3 fault proxy forwards to http:// endpoints only, got ${options.target}`);
  const random = mulberry32(options.seed ?? 1);
  const agent = new Agent({ keepAlive: true });
  const pending = new Set<NodeJS.Timeout>();
  const stats: S3FaultProxyStats = { requests: 0, reads: 0, writes: 0, errorsInjected: { InternalError: 0, SlowDown: 0 }, delaysInjected: 0, delayedMs: 0, upstreamFailures: 0 };

  const forward = (req: IncomingMessage, res: ServerResponse, answered: (status: number | null) => void) => {
    let reported = false;
    const done = (status: number | null) => {
      if (!reported) answered(status);
      reported = true;
    };
    const upstream = request(
      { host: target.hostname, port: target.port || 80, method: req.method, path: req.url, headers: req.rawHeaders, setHost: false, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
        done(answer.statusCode ?? null);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) return void res.destroy();
      stats.upstreamFailures += 1;
      done(null);
      const body = s3ErrorBody('BadGateway', `the S3 endpoint ${options.target} did not answer`, req.url ?? '/', requestId());
      res.writeHead(502, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body);
    });
    // A client that goes away takes its forwarded request with it.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const answerError = (req: IncomingMessage, res: ServerResponse, code: S3FaultError) => {
    const { status, message } = S3_FAULT_ERRORS[code];
    const id = requestId();
    const body = s3ErrorBody(code, message, new URL(req.url ?? '/', 'http://proxy').pathname, id);
    // The body is read to its end first, so the connection stays usable for the client's retry.
    req.resume();
    req.once('end', () => {
      res
        .writeHead(status, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
          'x-amz-request-id': id,
          'x-amz-id-2': randomBytes(24).toString('base64'),
        })
        .end(body);
    });
  };

  const server = createServer((req, res) => {
    stats.requests += 1;
    const method = req.method ?? 'GET';
    const operation = s3WriteOperation(method, req.url ?? '/', req.headers);
    const record = (fault: S3RequestRecord['fault'], delayMs: number) => (status: number | null) =>
      options.onRequest?.({ operation, method, path: new URL(req.url ?? '/', 'http://proxy').pathname, fault, delayMs, status });
    if (operation === null) {
      stats.reads += 1;
      forward(req, res, record(null, 0));
      return;
    }
    stats.writes += 1;
    const draw = random();
    if (draw < errorShare) {
      const code: S3FaultError = random() < 0.5 ? 'InternalError' : 'SlowDown';
      stats.errorsInjected[code] += 1;
      answerError(req, res, code);
      record(code, 0)(S3_FAULT_ERRORS[code].status);
      return;
    }
    if (draw < errorShare + delayShare) {
      const ms = Math.round(delay.min + random() * (delay.max - delay.min));
      stats.delaysInjected += 1;
      stats.delayedMs += ms;
      const timer = setTimeout(() => {
        pending.delete(timer);
        forward(req, res, record('delay', ms));
      }, ms);
      pending.add(timer);
      res.on('close', () => {
        clearTimeout(timer);
        pending.delete(timer);
      });
      return;
    }
    forward(req, res, record(null, 0));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => ({ ...stats, errorsInjected: { ...stats.errorsInjected } }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return closing;
    },
  };
}

/** S3 request ids are 16 upper-case hex characters. */
const requestId = () => randomBytes(8).toString('hex').toUpperCase();
