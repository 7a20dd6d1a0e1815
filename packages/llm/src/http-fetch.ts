import http from 'node:http';
import https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/**
 * The `fetch` the OpenAI SDK sends its requests through: node:http(s) on keep-alive agents,
 * reading the whole (small, non-streamed) answer into a Response. The SDK is unchanged and still
 * builds, signs, times out, retries and parses every request; only the transport under it is
 * leaner than the global fetch (undici's request and stream machinery). Measured on a 2-core host,
 * one chat completion's client CPU: 1.05 ms through the global fetch, 0.75 through this one
 * (docs/performance.md, "The recommend pool's search answers, and a leaner LLM client").
 */
export function createHttpFetch(): typeof fetch {
  // No cap on connections, as the global fetch has none: LLM_MAX_IN_FLIGHT bounds the requests.
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  const httpFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request) throw new TypeError('httpFetch takes a URL and options, not a Request');
    const url = input instanceof URL ? input : new URL(input);
    const agent = url.protocol === 'http:' || url.protocol === 'https:' ? agents[url.protocol] : undefined;
    if (agent === undefined) return Promise.reject(new TypeError(`httpFetch: unsupported protocol ${url.protocol}`));
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return Promise.reject(new TypeError('httpFetch sends string or byte bodies only'));
    }
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      // The abort is wired by hand: node:http's own `signal` option goes through the streams'
      // end-of-stream machinery, a measurable share of a request's CPU here.
      const onAbort = () => request.destroy(abortError(signal as AbortSignal));
      const settle = () => signal?.removeEventListener('abort', onAbort);
      const request = (url.protocol === 'https:' ? https : http).request(url, { method: init.method ?? 'GET', headers, agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => {
          settle();
          reject(error);
        });
        response.on('end', () => {
          settle();
          try {
            resolve(toResponse(response, Buffer.concat(chunks)));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      });
      request.on('error', (error) => {
        settle();
        reject(error);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      request.end(body ?? undefined);
    });
  };
  return httpFetch as typeof fetch;
}

/** What the global fetch rejects with when aborted: a DOMException named AbortError, carrying the signal's reason. */
function abortError(signal: AbortSignal): Error {
  return new DOMException('This operation was aborted', { name: 'AbortError', cause: signal.reason });
}

/** Statuses whose response can have no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function toResponse(response: http.IncomingMessage, raw: Buffer): Response {
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 599) throw new TypeError(`httpFetch: the server answered with HTTP status ${status}`);
  const headers = new Headers();
  const names = response.rawHeaders;
  for (let i = 0; i + 1 < names.length; i += 2) headers.append(names[i] as string, names[i + 1] as string);
  const body = NULL_BODY_STATUSES.has(status) ? null : decoded(raw, headers);
  return new Response(body, { status, statusText: response.statusMessage ?? '', headers });
}

/** No Accept-Encoding is sent, but a proxy may compress anyway; the global fetch would decode it too. */
function decoded(raw: Buffer, headers: Headers): Buffer {
  const encoding = headers.get('content-encoding')?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return raw;
  headers.delete('content-encoding');
  headers.delete('content-length');
  if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(raw);
  if (encoding === 'deflate') return inflateSync(raw);
  if (encoding === 'br') return brotliDecompressSync(raw);
  throw new TypeError(`httpFetch: unsupported content-encoding ${encoding}`);
}
