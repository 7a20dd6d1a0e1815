import { APIConnectionError, APIError, type OpenAI } from 'openai';
import { sleep } from '@coldstart/runtime';
import type { ChatMessage } from './prompt-templates.js';
import type { ResponseFormatMode } from './model-variants.js';

/** The structured-output schema: 3–5 short strings. An object at the top, as OpenAI's strict mode requires; vLLM accepts it too. */
export const TOPICS_JSON_SCHEMA = {
  name: 'related_topics',
  strict: true,
  schema: {
    type: 'object',
    properties: {
      topics: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 60 }, minItems: 3, maxItems: 5 },
    },
    required: ['topics'],
    additionalProperties: false,
  },
} as const;

export interface TopicsRequestSettings {
  model: string;
  temperature: number;
  maxTokens: number;
  responseFormat: ResponseFormatMode;
  /** One attempt's deadline; a hung server costs at most this per attempt. */
  timeoutMs: number;
  /** Attempts after the first, for 408 / 5xx / network failures only. */
  retries: number;
  /** First retry delay; doubles per retry, with full jitter. */
  retryBaseMs: number;
}

export interface TopicsAnswer {
  content: string;
  finishReason: string | null;
  promptTokens: number;
  completionTokens: number;
  /** Attempts the answer took (1 = no retry). */
  attempts: number;
}

/**
 * Not now: the server said 429 (`server`), or our own request budget for this second is spent
 * (`budget`). The caller pauses the whole queue, not just this job, and runs it again later.
 */
export class LlmRateLimitedError extends Error {
  override readonly name = 'LlmRateLimitedError';
  constructor(
    readonly retryAfterMs: number,
    readonly by: 'server' | 'budget' = 'server',
  ) {
    super(by === 'server' ? `the LLM server is rate limiting (HTTP 429); retry after ${retryAfterMs} ms` : `LLM request budget spent for this second; retry after ${retryAfterMs} ms`);
  }
}

/** No answer: retries exhausted, or a failure that retrying cannot fix (a 4xx other than 408/429). */
export class LlmUnavailableError extends Error {
  override readonly name = 'LlmUnavailableError';
  constructor(
    message: string,
    /** "timeout", "connection", an HTTP status, or "aborted". */
    readonly kind: string,
    /** HTTP requests made, each a failure. */
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const DEFAULT_RETRY_AFTER_MS = 1_000;
const MAX_RETRY_AFTER_MS = 60_000;

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3); vLLM's proxies send either. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number {
  const value = headers?.get('retry-after-ms') ?? undefined;
  if (value !== undefined && Number.isFinite(Number(value))) return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Number(value)));
  const header = headers?.get('retry-after');
  if (!header) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : DEFAULT_RETRY_AFTER_MS;
}

function failureKind(error: unknown, signal: AbortSignal | undefined): { kind: string; retryable: boolean } {
  if (signal?.aborted) return { kind: 'aborted', retryable: false };
  if (error instanceof APIError && error.status !== undefined) {
    const status = error.status;
    return { kind: String(status), retryable: status === 408 || status >= 500 };
  }
  // The SDK's own timeout, a refused or reset connection, our per-attempt deadline.
  if (error instanceof APIConnectionError || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) {
    return { kind: error.name === 'APIConnectionTimeoutError' || error.name === 'TimeoutError' ? 'timeout' : 'connection', retryable: true };
  }
  return { kind: 'other', retryable: false };
}

function responseFormat(mode: ResponseFormatMode) {
  switch (mode) {
    case 'json_schema':
      return { response_format: { type: 'json_schema' as const, json_schema: TOPICS_JSON_SCHEMA } };
    case 'json_object':
      return { response_format: { type: 'json_object' as const } };
    case 'plain':
      return {};
  }
}

/** One conversation's messages as the request body carries them. */
const wireMessages = (messages: readonly ChatMessage[]) => messages.map((m) => ({ role: m.role, content: m.content }));

/** The messages and settings of one conversation's request body. */
function requestBody(messages: readonly ChatMessage[], settings: TopicsRequestSettings) {
  return {
    model: settings.model,
    messages: wireMessages(messages),
    temperature: settings.temperature,
    max_tokens: settings.maxTokens,
    ...responseFormat(settings.responseFormat),
  };
}

/**
 * The request policy around one HTTP request (`attempt`): 408, 5xx and network failures are
 * retried with full-jitter exponential backoff; a 429 is handed to the caller at once, because
 * the right reaction is to slow the whole pool down (BullMQ's queue rate limit), not to hammer
 * from every job. The SDK's own retries are off: this function owns the policy.
 */
async function withRetries<T>(settings: TopicsRequestSettings, signal: AbortSignal | undefined, random: () => number, attempt: () => Promise<T>): Promise<{ value: T; attempts: number }> {
  for (let attempts = 1; ; attempts++) {
    try {
      return { value: await attempt(), attempts };
    } catch (error) {
      if (error instanceof APIError && error.status === 429) throw new LlmRateLimitedError(retryAfterMs(error.headers));
      const { kind, retryable } = failureKind(error, signal);
      if (!retryable || attempts > settings.retries) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new LlmUnavailableError(`LLM request failed after ${attempts} attempt(s) (${kind}): ${detail}`, kind, attempts, { cause: error });
      }
      await sleep(random() * settings.retryBaseMs * 2 ** (attempts - 1), signal);
    }
  }
}

// The SDK's own deadline bounds each attempt: the client's fetch (http-fetch.ts) settles only once
// the answer's body is read. (A deadline signal of our own composed with the caller's added two
// timers and two abort signals to every request.)
const attemptOptions = (settings: TopicsRequestSettings, signal: AbortSignal | undefined) => ({ ...(signal ? { signal } : {}), maxRetries: 0, timeout: settings.timeoutMs });

/** One chat completion for topics, through the `openai` SDK unchanged, under the request policy (withRetries). */
export async function requestTopics(
  client: OpenAI,
  messages: readonly ChatMessage[],
  settings: TopicsRequestSettings,
  signal?: AbortSignal,
  random: () => number = Math.random,
): Promise<TopicsAnswer> {
  const { value: completion, attempts } = await withRetries(settings, signal, random, () => client.chat.completions.create(requestBody(messages, settings), attemptOptions(settings, signal)));
  const choice = completion.choices[0];
  return {
    content: choice?.message.content ?? '',
    finishReason: choice?.finish_reason ?? null,
    promptTokens: completion.usage?.prompt_tokens ?? 0,
    completionTokens: completion.usage?.completion_tokens ?? 0,
    attempts,
  };
}

/** vLLM's batched chat completions (≥ 0.26): N conversations in one request, one choice per conversation, indexed 0…N−1. */
export const CHAT_BATCH_PATH = '/chat/completions/batch';

/** What a batch answers; every field is read defensively, as a single completion's are. */
interface BatchCompletion {
  choices?: ({ index?: number; message?: { content?: string | null } | null; finish_reason?: string | null } | null)[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

export interface TopicsBatchAnswer {
  /** One per conversation, in the order given; a conversation the server left out answers '' (the parser's "no topics"). */
  answers: { content: string; finishReason: string | null }[];
  /** The whole batch's tokens. */
  promptTokens: number;
  completionTokens: number;
  attempts: number;
}

/**
 * Several conversations' topics in one request to CHAT_BATCH_PATH, through the SDK's own request
 * path (`client.post`) under the same policy as one completion. Each conversation is what
 * requestTopics would send; the server runs them independently.
 */
export async function requestTopicsBatch(
  client: OpenAI,
  conversations: readonly (readonly ChatMessage[])[],
  settings: TopicsRequestSettings,
  signal?: AbortSignal,
  random: () => number = Math.random,
): Promise<TopicsBatchAnswer> {
  const body = { ...requestBody([], settings), messages: conversations.map(wireMessages) };
  const { value: completion, attempts } = await withRetries(settings, signal, random, () => client.post<BatchCompletion>(CHAT_BATCH_PATH, { body, ...attemptOptions(settings, signal) }));
  const answers = conversations.map(() => ({ content: '', finishReason: null as string | null }));
  for (const [position, choice] of (Array.isArray(completion?.choices) ? completion.choices : []).entries()) {
    if (typeof choice !== 'object' || choice === null) continue;
    const at = Number.isSafeInteger(choice.index) ? (choice.index as number) : position;
    const answer = answers[at];
    if (answer) {
      answer.content = typeof choice.message?.content === 'string' ? choice.message.content : '';
      answer.finishReason = choice.finish_reason ?? null;
    }
  }
  return { answers, promptTokens: completion?.usage?.prompt_tokens ?? 0, completionTokens: completion?.usage?.completion_tokens ?? 0, attempts };
}
