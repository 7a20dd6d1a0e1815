export { CatalogTopics, DEFAULT_TOPIC_COUNT, normalisePhrase, type TopicSuggestion } from './catalog-topics.js';
export { BatchChatCompletionRequest, ChatCompletionRequest, ResponseFormat } from './chat-request.js';
export { FaultProfile, type FaultProfileInput, LatencyProfile, OUTPUT_FAULTS, OutputFaults, type OutputFault } from './fault-profile.js';
export { FaultSchedule, type Outcome, outcomeName, type RequestFate, sampleLatency } from './fault-schedule.js';
export { limitTokens, malformOutput, type ModelOutput } from './malformed-output.js';
export { DEFAULT_HOST, DEFAULT_MODELS, type LlmServer, type LlmServerOptions, type LlmServerStats, startLlmServer } from './llm-server.js';
export { type AnswerShape, answerShape, renderAnswer, UnsupportedSchemaError } from './response-format.js';
export { estimateTokens, truncateToTokens } from './token-estimate.js';
