import { counter, gauge, histogram, type Registry } from '@coldstart/runtime';

/** Seconds: a cached 3B model answers in ~0.2 s, a loaded 70B one in tens of seconds. */
const LLM_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 30, 60];

/**
 * What the LLM costs and how it behaves, per model variant: calls by outcome, tokens, cache
 * hits, coalesced waits, fallbacks by reason, latency, and the breaker's state. `calls` counts
 * HTTP requests (retries and repair prompts included), which is what the server bills.
 */
export function llmMetrics(registry?: Registry) {
  const r = registry ? { registry } : {};
  return {
    calls: counter<'variant' | 'outcome'>({ name: 'coldstart_llm_calls_total', help: 'LLM conversations by outcome (ok, error kind): one per request, or per member of a batched request', labelNames: ['variant', 'outcome'], ...r }),
    promptTokens: counter<'variant'>({ name: 'coldstart_llm_prompt_tokens_total', help: 'Prompt tokens reported by the server', labelNames: ['variant'], ...r }),
    completionTokens: counter<'variant'>({ name: 'coldstart_llm_completion_tokens_total', help: 'Completion tokens reported by the server', labelNames: ['variant'], ...r }),
    cacheHits: counter<'variant'>({ name: 'coldstart_llm_cache_hits_total', help: 'Expansions served from the Redis cache', labelNames: ['variant'], ...r }),
    coalescedWaits: counter<'variant'>({ name: 'coldstart_llm_coalesced_waits_total', help: 'Expansions that waited for another process\'s identical in-flight request', labelNames: ['variant'], ...r }),
    fallbacks: counter<'variant' | 'reason'>({ name: 'coldstart_llm_fallbacks_total', help: 'Expansions handed to the fallback expander, by reason', labelNames: ['variant', 'reason'], ...r }),
    throttled: counter<'variant'>({ name: 'coldstart_llm_throttled_total', help: 'Requests held back because the per-second request budget was spent (the job ran again later)', labelNames: ['variant'], ...r }),
    repairs: counter<'variant'>({ name: 'coldstart_llm_repair_prompts_total', help: 'Answers with fewer than 3 usable topics that got one repair prompt', labelNames: ['variant'], ...r }),
    latency: histogram<'variant'>({ name: 'coldstart_llm_request_seconds', help: 'Latency of answered LLM requests (retries included)', labelNames: ['variant'], buckets: LLM_LATENCY_BUCKETS, ...r }),
    breakerOpen: gauge<'variant'>({ name: 'coldstart_llm_breaker_open', help: '1 while the variant\'s circuit breaker sends work to the fallback', labelNames: ['variant'], ...r }),
  };
}
export type LlmMetrics = ReturnType<typeof llmMetrics>;
