import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ZodType } from 'zod';
import { type Book, type FoldName, loadFold } from '@coldstart/goodbooks';
import { seededRandom, sleep } from '@coldstart/runtime';
import { CatalogTopics } from './catalog-topics.js';
import { BatchChatCompletionRequest, ChatCompletionRequest, messageText, userText, type ChatMessage, type ChatSettings } from './chat-request.js';
import { FaultProfile, type FaultProfileInput } from './fault-profile.js';
import { FaultSchedule, outcomeName, type RequestFate } from './fault-schedule.js';
import { limitTokens, malformOutput, type ModelOutput } from './malformed-output.js';
import { type AnswerShape, answerShape, renderAnswer, topicCount, UnsupportedSchemaError } from './response-format.js';
import { estimateTokens } from './token-estimate.js';

export const DEFAULT_MODELS: readonly string[] = ['coldstart-local'];
export const DEFAULT_HOST = '127.0.0.1';

export interface LlmServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Model ids served; any other gets a 404 like OpenAI's. */
  models?: readonly string[];
  /** Where the topics come from: a goodbooks fold (default "a") or books already loaded. */
  fold?: FoldName | readonly Book[];
  faults?: FaultProfileInput;
  /** Serve /v1/chat/completions/batch (default true); false answers it 404, as vLLM before 0.26 and other OpenAI-compatible servers do. */
  batchEndpoint?: boolean;
  /** Sees every chat-completion body that parsed as JSON, before validation: tests assert what clients send. */
  onChatRequest?: (body: unknown) => void;
}

export interface LlmServerStats {
  /** POST /v1/chat/completions and /v1/chat/completions/batch received, invalid ones included. */
  requests: number;
  /** Conversations in the valid requests: one per completion, N per batch. */
  conversations: number;
  /** Per conversation: "ok", a status ("503"), "hang" or a malformed form ("fenced"); per request: "bad_request" or "unknown_model". */
  byOutcome: Record<string, number>;
}

export interface LlmServer {
  /** Ends in /v1, ready for `new OpenAI({ baseURL })`. */
  baseUrl: string;
  stats(): LlmServerStats;
  /** Stops listening and drops every connection, hanging ones included; idempotent. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly outcome = 'bad_request',
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const errorBody = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`, 'invalid_request_error');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function shapeFor(request: ChatSettings): AnswerShape {
  try {
    return answerShape(request.response_format);
  } catch (error) {
    if (error instanceof UnsupportedSchemaError) throw new HttpError(400, error.message, 'invalid_request_error');
    throw error;
  }
}

function injectedErrorType(status: number): { type: string; code: string } {
  if (status === 429) return { type: 'rate_limit_error', code: 'rate_limit_exceeded' };
  return { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: 'injected_fault' };
}

/**
 * A local OpenAI-compatible chat-completions server: a test instrument for tests, the demo and
 * benchmarks, never a production dependency. Answers are catalog topics derived deterministically
 * from the prompt; latency, errors, hangs and malformed outputs come from the fault profile.
 */
export async function startLlmServer(options: LlmServerOptions = {}): Promise<LlmServer> {
  const models = options.models ?? DEFAULT_MODELS;
  const host = options.host ?? DEFAULT_HOST;
  const profile = FaultProfile.parse(options.faults ?? {});
  const schedule = new FaultSchedule(profile);
  const books = typeof options.fold === 'object' ? options.fold : (await loadFold(options.fold ?? 'a')).books;
  const topics = CatalogTopics.fromBooks(books);
  // Aborts every pending latency wait on close(), so close() never waits for a timer.
  const closing = new AbortController();

  let requests = 0;
  let conversations = 0;
  let accepted = 0;
  const byOutcome: Record<string, number> = {};
  const count = (outcome: string) => {
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
  };

  /** The body as JSON, seen by onChatRequest, then checked against `schema`. */
  const readRequest = async <T extends ChatSettings>(req: IncomingMessage, schema: ZodType<T>, what: string): Promise<T> => {
    requests++;
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, `invalid JSON body: ${error instanceof Error ? error.message : String(error)}`, 'invalid_request_error');
    }
    options.onChatRequest?.(body);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      throw new HttpError(400, `invalid ${what} request: ${issues}`, 'invalid_request_error');
    }
    const request = parsed.data;
    if (request.stream === true) throw new HttpError(400, 'stream is not supported by this test server', 'invalid_request_error');
    if (!models.includes(request.model)) {
      throw new HttpError(404, `The model \`${request.model}\` does not exist (served: ${models.join(', ')})`, 'invalid_request_error', 'model_not_found', 'unknown_model');
    }
    return request;
  };

  /** Waits out the slowest fate; false when the client left or the server is closing (nobody to answer). */
  const waitFor = async (fates: readonly RequestFate[], res: ServerResponse): Promise<boolean> => {
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    try {
      await sleep(Math.max(...fates.map((fate) => fate.latencyMs)), AbortSignal.any([closing.signal, gone.signal]));
      return true;
    } catch {
      return false;
    }
  };

  const sendInjectedError = (res: ServerResponse, status: number) => {
    const { type, code } = injectedErrorType(status);
    const headers: Record<string, string> = status === 429 && profile.retryAfterSeconds !== undefined ? { 'retry-after': String(profile.retryAfterSeconds) } : {};
    send(res, status, errorBody(`injected fault: status ${status} (llm-server fault profile)`, type, code), headers);
  };

  /** One conversation's answer under its fate (an error or hang fate is the caller's to act on). */
  const answer = (messages: readonly ChatMessage[], settings: ChatSettings, shape: AnswerShape, fate: RequestFate, index: number) => {
    const suggestion = topics.suggest(userText(messages), topicCount(shape));
    const rendered = renderAnswer(shape, suggestion.topics);
    const output: ModelOutput =
      fate.outcome.kind === 'malformed'
        ? malformOutput(fate.outcome.form, rendered, { interests: suggestion.mentioned, random: seededRandom(profile.seed, 'output', index) })
        : { content: rendered, finishReason: 'stop' };
    const { content, finishReason } = limitTokens(output, settings.max_completion_tokens ?? settings.max_tokens ?? undefined);
    // A per-message overhead of 3, roughly what chat templates add.
    const promptTokens = messages.reduce((sum, m) => sum + 3 + estimateTokens(messageText(m)), 0);
    return { content, finishReason, promptTokens, completionTokens: estimateTokens(content) };
  };

  const completionBody = (id: string, model: string, answers: ReturnType<typeof answer>[], omitUsage: boolean) => {
    const promptTokens = answers.reduce((sum, a) => sum + a.promptTokens, 0);
    const completionTokens = answers.reduce((sum, a) => sum + a.completionTokens, 0);
    return {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: answers.map((a, index) => ({ index, message: { role: 'assistant', content: a.content, refusal: null }, logprobs: null, finish_reason: a.finishReason })),
      ...(omitUsage ? {} : { usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } }),
    };
  };

  const chatCompletion = async (req: IncomingMessage, res: ServerResponse) => {
    const request = await readRequest(req, ChatCompletionRequest, 'chat-completion');
    const shape = shapeFor(request);
    conversations++;
    const index = accepted++;
    const fate = schedule.fate(index);
    count(outcomeName(fate.outcome));
    // A hang answers nothing: the socket stays open until the client gives up or close() drops it.
    if (fate.outcome.kind === 'hang') return;
    if (!(await waitFor([fate], res))) return;
    if (fate.outcome.kind === 'error') return sendInjectedError(res, fate.outcome.status);
    send(res, 200, completionBody(`chatcmpl-local-${index}`, request.model, [answer(request.messages, request, shape, fate, index)], fate.omitUsage));
  };

  /**
   * vLLM's /v1/chat/completions/batch: N conversations, one choice each, indexed 0…N−1, and the
   * batch's usage. Each conversation draws a fate; the first one's error or hang is the whole
   * request's, as a server fails a request, not a conversation, so a batch fails as often as a
   * request of one would (counted once per conversation). The others' errors and hangs do not
   * apply; their malformed outputs do. The answer comes after the slowest latency drawn.
   */
  const batchCompletion = async (req: IncomingMessage, res: ServerResponse) => {
    const request = await readRequest(req, BatchChatCompletionRequest, 'batched chat-completion');
    const shape = shapeFor(request);
    conversations += request.messages.length;
    const first = accepted;
    const fates = request.messages.map(() => schedule.fate(accepted++));
    const transport = (fates[0] as RequestFate).outcome;
    const failed = transport.kind === 'hang' || transport.kind === 'error';
    for (const fate of fates) count(outcomeName(failed ? transport : fate.outcome.kind === 'malformed' ? fate.outcome : { kind: 'ok' }));
    if (transport.kind === 'hang') return;
    if (!(await waitFor(fates, res))) return;
    if (transport.kind === 'error') return sendInjectedError(res, transport.status);
    const answers = request.messages.map((messages, i) => answer(messages, request, shape, fates[i] as RequestFate, first + i));
    send(res, 200, completionBody(`chatcmpl-local-batch-${first}`, request.model, answers, (fates[0] as RequestFate).omitUsage));
  };

  const modelObject = (id: string) => ({ id, object: 'model', created: 0, owned_by: 'coldstart-llm-server' });

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    const only = (allowed: string) => {
      if (method !== allowed) throw new HttpError(405, `${method} ${path} is not allowed; use ${allowed}`, 'invalid_request_error', null, 'method_not_allowed');
    };
    if (path === '/v1/chat/completions' || (path === '/v1/chat/completions/batch' && options.batchEndpoint !== false)) {
      only('POST');
      await (path === '/v1/chat/completions' ? chatCompletion : batchCompletion)(req, res).catch((error: unknown) => {
        if (error instanceof HttpError) count(error.outcome);
        throw error;
      });
    } else if (path === '/v1/models') {
      only('GET');
      send(res, 200, { object: 'list', data: models.map(modelObject) });
    } else if (path.startsWith('/v1/models/')) {
      only('GET');
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (!models.includes(id)) throw new HttpError(404, `The model \`${id}\` does not exist`, 'invalid_request_error', 'model_not_found', 'unknown_model');
      send(res, 200, modelObject(id));
    } else if (path === '/healthz') {
      only('GET');
      send(res, 200, { status: 'ok' });
    } else if (path === '/stats') {
      only('GET');
      send(res, 200, stats());
    } else {
      throw new HttpError(404, `no route ${method} ${path}`, 'invalid_request_error', 'not_found', 'not_found');
    }
  };

  const stats = (): LlmServerStats => ({ requests, conversations, byOutcome: { ...byOutcome } });

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (error instanceof HttpError) {
        send(res, error.status, errorBody(error.message, error.type, error.code));
      } else {
        send(res, 500, errorBody(`llm-server bug: ${error instanceof Error ? error.message : String(error)}`, 'server_error', null));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    stats,
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}
