import OpenAI from 'openai';
import type { Logger } from 'pino';
import { NothingToExpandError, type Expander, type ExpansionInput, type ExpansionResult } from '@coldstart/expander';
import { ChatBatcher, type ChatBatchOptions } from './chat-batcher.js';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
import { ExpansionCache } from './expansion-cache.js';
import { createHttpFetch } from './http-fetch.js';
import type { LlmMetrics } from './llm-metrics.js';
import { assignVariant, isModelVariant, type ExpanderArm, type ModelVariant, type ModelVariants } from './model-variants.js';
import { parseTopics } from './parse-topics.js';
import { promptTemplate, REPAIR_PROMPT, type ChatMessage, type RenderedPrompt } from './prompt-templates.js';
import type { InFlightLimit } from './in-flight-limit.js';
import type { RequestBudget } from './request-budget.js';
import { CHAT_BATCH_PATH, LlmRateLimitedError, LlmUnavailableError, type TopicsAnswer } from './topics-request.js';

export interface LlmRequestPolicy {
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
}

export interface LlmExpanderOptions {
  variants: ModelVariants;
  /** Names the assignment of users to variants; renaming it reshuffles them. */
  experiment: string;
  /** Serves when the LLM cannot: breaker open, server failing, unusable answers. */
  fallback: Expander;
  cache: ExpansionCache;
  request: LlmRequestPolicy;
  breaker: CircuitBreakerOptions;
  metrics: LlmMetrics;
  /** Requests per second across processes; none: unlimited. */
  budget?: RequestBudget;
  /** Requests at once in this process (LLM_MAX_IN_FLIGHT); none: unlimited. A conversation sent in a batch counts as one. */
  inFlight?: InFlightLimit;
  /** Conversations sent together in one request (chat-batcher.ts); none: each on its own. */
  batch?: ChatBatchOptions;
  logger?: Logger;
  /** Environment for the variants' `apiKeyEnv`. */
  env?: NodeJS.ProcessEnv;
}

/** The answer held fewer than three usable topics, even after the repair prompt. */
export class UnusableAnswerError extends Error {
  override readonly name = 'UnusableAnswerError';
}

type FallbackReason = 'breaker-open' | 'unavailable' | 'unusable-answer' | 'leader-failed';

interface Variant {
  name: string;
  settings: ModelVariant;
  /** Sends the variant's conversations through its client, in batches where the server takes them. */
  batcher: ChatBatcher;
  breaker: CircuitBreaker;
}

/**
 * Topics from an LLM behind any OpenAI-compatible server (vLLM), built so that the LLM can
 * never break the pipeline and costs a fraction of a call per user:
 * variant (stable per user) → prompt → Redis cache → in-flight coalescing across processes →
 * circuit breaker → request (retries, 429 handed up) → defensive parse → one repair prompt →
 * the fallback expander. "Not now" is the only outcome that escapes (LlmRateLimitedError: a 429,
 * or the request budget spent), so the pool can slow down and run the job again; everything else
 * ends in topics.
 */
export class LlmExpander implements Expander {
  readonly id = 'llm';
  private readonly variants = new Map<string, Variant>();
  /** Request failures already told to a breaker (recordBreaker). */
  private readonly failuresCounted = new WeakSet<LlmUnavailableError>();

  constructor(private readonly options: LlmExpanderOptions) {
    // One keep-alive transport for every variant's client (http-fetch.ts).
    const fetch = createHttpFetch();
    for (const [name, settings] of Object.entries(options.variants)) {
      if (!isModelVariant(settings)) continue;
      const apiKey = (settings.apiKeyEnv ? options.env?.[settings.apiKeyEnv] : undefined) ?? 'unused';
      const client = new OpenAI({ baseURL: settings.baseUrl, apiKey, maxRetries: 0, timeout: options.request.timeoutMs, fetch });
      const batcher = new ChatBatcher(client, { ...options.request, ...settings }, options.batch ?? { maxSize: 1, windowMs: 0 }, (error) =>
        options.logger?.warn(
          { variant: name, baseUrl: settings.baseUrl, status: error.status },
          `the LLM server has no ${CHAT_BATCH_PATH} (vLLM ≥ 0.26 has it); this variant's conversations go one per request from now on`,
        ),
      );
      this.variants.set(name, { name, settings, batcher, breaker: new CircuitBreaker(options.breaker) });
    }
  }

  async expand(input: ExpansionInput, signal?: AbortSignal): Promise<ExpansionResult> {
    const { experiment } = this.options;
    const name = assignVariant(this.options.variants, experiment, input.userId);
    try {
      const variant = this.variants.get(name);
      const result = variant ? await this.expandWithModel(variant, input, signal) : await this.expandWithArm(this.options.variants[name] as ExpanderArm, input, signal);
      return { ...result, variant: name, experiment };
    } catch (error) {
      // Nothing to expand still belongs to the user's variant: the empty expansion is counted there.
      if (error instanceof NothingToExpandError) throw new NothingToExpandError(error.message, { experiment, variant: name });
      throw error;
    }
  }

  /** A baseline arm: the catalog expander alone, or no expansion (`seed-only`). */
  private async expandWithArm(arm: ExpanderArm, input: ExpansionInput, signal?: AbortSignal): Promise<ExpansionResult> {
    if (arm.expander === 'seed-only') return { topics: [], source: 'none', expander: 'seed-only' };
    return this.options.fallback.expand(input, signal);
  }

  private async expandWithModel(variant: Variant, input: ExpansionInput, signal?: AbortSignal): Promise<ExpansionResult> {
    const name = variant.name;
    const { model, promptVersion, system } = variant.settings;
    const prompt = promptTemplate(promptVersion).render(input, system ? { system } : {});
    if (!prompt) {
      throw new NothingToExpandError(`user ${input.userId} gave no categories and none of the seed items (${input.seedItems.length}) has categories or a title`);
    }
    const tag = { variant: name, promptVersion };
    const llmResult = (topics: string[], source: 'llm' | 'cache'): ExpansionResult => ({ topics, source, expander: `llm:${model}`, ...tag });
    const { cache, metrics } = this.options;

    const key = ExpansionCache.keyOf(model, promptVersion, prompt.cacheInput);
    const turn = await cache.coalesce(key, signal);
    if (turn.role === 'cached') {
      metrics.cacheHits.inc({ variant: name });
      return llmResult(turn.topics, 'cache');
    }
    if (turn.role === 'follower') {
      metrics.coalescedWaits.inc({ variant: name });
      if ('topics' in turn.outcome) return llmResult(turn.outcome.topics, 'cache');
      return this.fallback(input, signal, variant, 'leader-failed');
    }

    // We lead: the one request for this key, unless the breaker says the server is down.
    if (!variant.breaker.tryAcquire()) {
      await turn.settle({ failed: true });
      return this.fallback(input, signal, variant, 'breaker-open');
    }
    try {
      const topics = await this.ask(variant, prompt, signal);
      variant.breaker.succeeded();
      metrics.breakerOpen.set({ variant: name }, 0);
      await turn.settle({ topics });
      return llmResult(topics, 'llm');
    } catch (error) {
      this.recordBreaker(variant, error, signal);
      metrics.breakerOpen.set({ variant: name }, variant.breaker.state === 'closed' ? 0 : 1);
      if (error instanceof LlmRateLimitedError || signal?.aborted) {
        await turn.settle({ released: true });
        throw error;
      }
      await turn.settle({ failed: true });
      if (error instanceof UnusableAnswerError) return this.fallback(input, signal, variant, 'unusable-answer', error);
      if (error instanceof LlmUnavailableError) return this.fallback(input, signal, variant, 'unavailable', error);
      throw error;
    }
  }

  private recordBreaker(variant: Variant, error: unknown, signal: AbortSignal | undefined): void {
    // A garbage answer came from a server that works; a 429 or our own abort says nothing either.
    // A failed batch rejects each of its conversations with the one error: one failed request,
    // counted once, or a batch of the breaker's threshold would open it alone.
    if (error instanceof LlmUnavailableError && !signal?.aborted && !this.failuresCounted.has(error)) {
      this.failuresCounted.add(error);
      variant.breaker.failed();
    } else if (error instanceof UnusableAnswerError) variant.breaker.succeeded();
    else variant.breaker.released();
  }

  /** One request, and one repair request if the answer held fewer than three usable topics. */
  private async ask(variant: Variant, prompt: RenderedPrompt, signal?: AbortSignal): Promise<string[]> {
    const first = await this.request(variant, prompt.messages, signal);
    const parsed = parseTopics(first.content, { truncated: first.finishReason === 'length' });
    if (parsed.ok) return parsed.topics;

    this.options.metrics.repairs.inc({ variant: variant.name });
    const repairMessages: ChatMessage[] = [...prompt.messages, { role: 'assistant', content: first.content.slice(0, 2_000) }, { role: 'user', content: REPAIR_PROMPT }];
    const second = await this.request(variant, repairMessages, signal);
    const repaired = parseTopics(second.content, { truncated: second.finishReason === 'length' });
    if (repaired.ok) return repaired.topics;
    throw new UnusableAnswerError(`unusable answer after a repair prompt: ${repaired.error} (first answer: ${parsed.error})`);
  }

  private async request(variant: Variant, messages: readonly ChatMessage[], signal?: AbortSignal): Promise<TopicsAnswer> {
    const { metrics, budget } = this.options;
    const labels = { variant: variant.name };
    const waitMs = budget ? await budget.take(variant.name) : 0;
    if (waitMs > 0) {
      metrics.throttled.inc(labels);
      throw new LlmRateLimitedError(waitMs, 'budget');
    }
    const send = async () => {
      const stopTimer = metrics.latency.startTimer(labels);
      const answer = await variant.batcher.ask(messages, signal);
      stopTimer();
      return answer;
    };
    try {
      const answer = await (this.options.inFlight ? this.options.inFlight.run(send, signal) : send());
      metrics.calls.inc({ ...labels, outcome: 'ok' });
      if (answer.attempts > 1) metrics.calls.inc({ ...labels, outcome: 'retried' }, answer.attempts - 1);
      metrics.promptTokens.inc(labels, answer.promptTokens);
      metrics.completionTokens.inc(labels, answer.completionTokens);
      return answer;
    } catch (error) {
      if (error instanceof LlmUnavailableError) metrics.calls.inc({ ...labels, outcome: error.kind }, error.attempts);
      else if (error instanceof LlmRateLimitedError) metrics.calls.inc({ ...labels, outcome: '429' });
      throw error;
    }
  }

  private async fallback(input: ExpansionInput, signal: AbortSignal | undefined, variant: Variant, reason: FallbackReason, cause?: Error): Promise<ExpansionResult> {
    this.options.metrics.fallbacks.inc({ variant: variant.name, reason });
    this.options.logger?.warn({ userId: input.userId, variant: variant.name, reason, err: cause }, 'LLM expansion fell back to the catalog expander');
    const result = await this.options.fallback.expand(input, signal);
    return { ...result, source: 'fallback', variant: variant.name, promptVersion: variant.settings.promptVersion };
  }
}
