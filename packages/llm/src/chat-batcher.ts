import { APIError, type OpenAI } from 'openai';
import type { ChatMessage } from './prompt-templates.js';
import { LlmUnavailableError, requestTopics, requestTopicsBatch, type TopicsAnswer, type TopicsBatchAnswer, type TopicsRequestSettings } from './topics-request.js';

export interface ChatBatchOptions {
  /** Conversations per request at most (LLM_BATCH_MAX); 1 sends each on its own. */
  maxSize: number;
  /** How long the first conversation of a batch waits for others (LLM_BATCH_WINDOW_MS). */
  windowMs: number;
}

interface Member {
  messages: readonly ChatMessage[];
  signal: AbortSignal | undefined;
  resolve(answer: TopicsAnswer): void;
  reject(error: unknown): void;
  /** Settled already (answered, failed, or given up by its caller). */
  done: boolean;
  stopWatching(): void;
}

/**
 * One variant's conversations, sent together: those asked within `windowMs` of each other (up to
 * `maxSize`) go out as one request to vLLM's batched chat completions (requestTopicsBatch), and
 * each caller gets its own conversation's answer as if it had asked alone. A request costs the
 * expand pool the same client CPU whatever it carries (the SDK's request path, the socket write,
 * the answer's parse): one request per signup was most of that pool's CPU
 * (docs/performance.md, "Conversations in batches").
 *
 * A server without the endpoint (a 404 or 405: vLLM before 0.26, other OpenAI-compatible servers)
 * is asked one conversation at a time from then on; the batch in hand is re-sent that way. A lone
 * conversation is always sent on its own. Any other failure of a batch is each member's failure,
 * as it would have been for its own request (a dead server fails them all alike).
 *
 * A caller whose signal aborts gets LlmUnavailableError('aborted') at once, as from its own
 * request; the batch's request is aborted only when every member has given up.
 */
export class ChatBatcher {
  #pending: Member[] = [];
  #timer: NodeJS.Timeout | undefined;
  #batched: boolean;

  constructor(
    private readonly client: OpenAI,
    private readonly settings: TopicsRequestSettings,
    private readonly options: ChatBatchOptions,
    /** Told once, when the server turns out to lack the batch endpoint. */
    private readonly onUnsupported: (error: APIError) => void = () => {},
  ) {
    if (!Number.isSafeInteger(options.maxSize) || options.maxSize < 1) throw new RangeError(`the batch size must be a positive integer, got ${options.maxSize}`);
    if (!(options.windowMs >= 0)) throw new RangeError(`the batch window must be 0 ms or more, got ${options.windowMs}`);
    this.#batched = options.maxSize > 1;
  }

  /** Whether conversations still go out in batches (false after the server refused the endpoint). */
  get batched(): boolean {
    return this.#batched;
  }

  ask(messages: readonly ChatMessage[], signal?: AbortSignal): Promise<TopicsAnswer> {
    if (!this.#batched) return requestTopics(this.client, messages, this.settings, signal);
    if (signal?.aborted) return Promise.reject(aborted(signal));
    return new Promise<TopicsAnswer>((resolve, reject) => {
      const member: Member = {
        messages,
        signal,
        resolve: (answer) => settle(() => resolve(answer)),
        reject: (error) => settle(() => reject(error)),
        done: false,
        stopWatching: () => signal?.removeEventListener('abort', giveUp),
      };
      const settle = (finish: () => void) => {
        if (member.done) return;
        member.done = true;
        member.stopWatching();
        finish();
      };
      const giveUp = () => {
        const at = this.#pending.indexOf(member);
        if (at >= 0) this.#pending.splice(at, 1);
        member.reject(aborted(signal as AbortSignal));
      };
      signal?.addEventListener('abort', giveUp, { once: true });
      this.#pending.push(member);
      if (this.#pending.length >= this.options.maxSize) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.options.windowMs);
    });
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const members = this.#pending.splice(0, this.options.maxSize);
    if (this.#pending.length > 0) this.#timer = setTimeout(() => this.#flush(), this.options.windowMs);
    if (members.length === 0) return;
    void this.#send(members);
  }

  async #send(members: Member[]): Promise<void> {
    if (members.length === 1 || !this.#batched) {
      await Promise.all(members.map((member) => this.#sendAlone(member)));
      return;
    }
    // The batch's own signal: aborted once every member has given up.
    const everyoneGone = new AbortController();
    let left = members.length;
    const leave = () => {
      if (--left === 0) everyoneGone.abort();
    };
    const signals = members.flatMap((member) => (member.signal ? [member.signal] : []));
    if (signals.length === members.length) for (const signal of signals) signal.addEventListener('abort', leave, { once: true });
    try {
      const batch = await requestTopicsBatch(this.client, members.map((member) => member.messages), this.settings, everyoneGone.signal);
      // The batch's tokens are told once, with its first member still waiting, so sums by variant stay right.
      let tokensTold = false;
      members.forEach((member, i) => {
        if (member.done) return;
        // One answer per conversation, in order (requestTopicsBatch).
        const answer = batch.answers[i] as TopicsBatchAnswer['answers'][number];
        const tokens = tokensTold ? { promptTokens: 0, completionTokens: 0 } : { promptTokens: batch.promptTokens, completionTokens: batch.completionTokens };
        tokensTold = true;
        member.resolve({ content: answer.content, finishReason: answer.finishReason, ...tokens, attempts: batch.attempts });
      });
    } catch (error) {
      if (error instanceof LlmUnavailableError && unsupported(error.cause)) {
        if (this.#batched) {
          this.#batched = false;
          this.onUnsupported(error.cause as APIError);
        }
        await Promise.all(members.map((member) => this.#sendAlone(member)));
        return;
      }
      for (const member of members) member.reject(error);
    } finally {
      for (const signal of signals) signal.removeEventListener('abort', leave);
    }
  }

  async #sendAlone(member: Member): Promise<void> {
    if (member.done) return;
    try {
      member.resolve(await requestTopics(this.client, member.messages, this.settings, member.signal));
    } catch (error) {
      member.reject(error);
    }
  }
}

/** The server has no such endpoint: the batch is not refused for what it holds. */
function unsupported(error: unknown): boolean {
  return error instanceof APIError && (error.status === 404 || error.status === 405);
}

/** What an aborted request of its own would have given the caller (topics-request.ts). */
function aborted(signal: AbortSignal): LlmUnavailableError {
  return new LlmUnavailableError('LLM request failed after 1 attempt(s) (aborted): the caller gave up', 'aborted', 1, { cause: signal.reason });
}
