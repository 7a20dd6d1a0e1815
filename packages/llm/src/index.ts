export { CircuitBreaker, type BreakerState, type CircuitBreakerOptions } from './circuit-breaker.js';
export { ExpansionCache, type CachedTopics, type Coalesced, type ExpansionCacheOptions } from './expansion-cache.js';
export { LlmExpander, UnusableAnswerError, type LlmExpanderOptions, type LlmRequestPolicy } from './llm-expander.js';
export { llmMetrics, type LlmMetrics } from './llm-metrics.js';
export {
  assignVariant,
  BASELINE_EXPANDERS,
  ExpanderArm,
  ExperimentVariant,
  isModelVariant,
  ModelVariant,
  ModelVariants,
  ResponseFormatMode,
  stableUnitHash,
  type ModelVariantInput,
} from './model-variants.js';
export { InFlightLimit } from './in-flight-limit.js';
export { RequestBudget } from './request-budget.js';
export { parseTopics, type ParsedTopics, type ParseTopicsOptions } from './parse-topics.js';
export {
  contextualV1,
  interestsOf,
  PROMPT_TEMPLATES,
  promptTemplate,
  PUBLISHED_PROMPT,
  publishedV1,
  REPAIR_PROMPT,
  type ChatMessage,
  type PromptTemplate,
  type RenderedPrompt,
} from './prompt-templates.js';
export { LlmRateLimitedError, LlmUnavailableError, requestTopics, retryAfterMs, TOPICS_JSON_SCHEMA, type TopicsAnswer, type TopicsRequestSettings } from './topics-request.js';
