import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetch } from './http-fetch.js';

describe('createHttpFetch', () => {
  let server: http.Server;
  let base: string;
  let connections = 0;
  const received: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ ...(request.method ? { method: request.method } : {}), headers: request.headers, body });
        switch (request.url) {
          case '/echo':
            response.writeHead(201, { 'content-type': 'application/json', 'x-answer': 'yes' }).end(JSON.stringify({ got: JSON.parse(body) }));
            return;
          case '/empty':
            response.writeHead(204).end();
            return;
          case '/gzip':
            response.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(gzipSync('squeezed'));
            return;
          case '/hang':
            return;
          case '/half':
            response.writeHead(200, { 'content-type': 'application/json' });
            response.write('{"topics": [');
            return;
          case '/v1/chat/completions':
            if (JSON.parse(body).model === 'broken') {
              response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'the model fell over' } }));
              return;
            }
            response.writeHead(200, { 'content-type': 'application/json' }).end(
              JSON.stringify({
                id: 'c1',
                object: 'chat.completion',
                created: 1,
                model: 'm',
                choices: [{ index: 0, message: { role: 'assistant', content: '{"topics":["a","b","c"]}' }, finish_reason: 'stop' }],
                usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
              }),
            );
            return;
          default:
            response.writeHead(404).end('no such path');
        }
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the method, headers and body, and answers with the status, headers and body, on one kept-alive connection', async () => {
    const httpFetch = createHttpFetch();
    const before = connections;
    for (let i = 0; i < 3; i++) {
      const response = await httpFetch(`${base}/echo`, { method: 'POST', headers: new Headers({ 'content-type': 'application/json', 'x-ask': String(i) }), body: JSON.stringify({ i }) });
      expect(response.status).toBe(201);
      expect(response.headers.get('x-answer')).toBe('yes');
      expect(await response.json()).toEqual({ got: { i } });
      expect(received.at(-1)).toMatchObject({ method: 'POST', headers: { 'x-ask': String(i), 'content-type': 'application/json' } });
    }
    expect(connections - before).toBe(1);
  });

  it('gives a body-less status no body, and decodes a compressed answer', async () => {
    const httpFetch = createHttpFetch();
    const empty = await httpFetch(new URL(`${base}/empty`));
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const squeezed = await httpFetch(`${base}/gzip`);
    expect(squeezed.headers.get('content-encoding')).toBeNull();
    expect(await squeezed.text()).toBe('squeezed');
  });

  it('rejects when aborted, when nothing listens, and for what it cannot send', async () => {
    const httpFetch = createHttpFetch();
    await expect(httpFetch(`${base}/hang`, { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'AbortError' });
    // Headers and half a body, then nothing: the abort still ends the wait.
    await expect(httpFetch(`${base}/half`, { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'AbortError' });
    const aborted = new AbortController();
    aborted.abort(new Error('shutting down'));
    await expect(httpFetch(`${base}/echo`, { method: 'POST', body: '{}', signal: aborted.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(httpFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(httpFetch('ftp://example.invalid/')).rejects.toThrow(/unsupported protocol ftp:/);
    await expect(httpFetch(`${base}/echo`, { method: 'POST', body: new Blob(['x']) })).rejects.toThrow(/string or byte bodies only/);
  });

  it('carries the OpenAI SDK: a completion parsed, a server error as the SDK reports it', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'k', maxRetries: 0, fetch: createHttpFetch() });
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'books' }] });
    expect(completion.choices[0]?.message.content).toBe('{"topics":["a","b","c"]}');
    expect(received.at(-1)?.headers.authorization).toBe('Bearer k');
    const failure = await client.chat.completions.create({ model: 'broken', messages: [{ role: 'user', content: 'books' }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBe(500);
    expect((failure as APIError).message).toMatch(/the model fell over/);
  });
});
