import { z } from 'zod';

const JsonSchemaFormat = z.object({ name: z.string().optional(), schema: z.unknown().optional(), strict: z.boolean().nullish() }).loose();

export const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).loose(),
  z.object({ type: z.literal('json_object') }).loose(),
  z.object({ type: z.literal('json_schema'), json_schema: JsonSchemaFormat }).loose(),
]);
export type ResponseFormat = z.infer<typeof ResponseFormat>;

const ContentPart = z.object({ type: z.string(), text: z.string().optional() }).loose();

const Message = z.object({ role: z.string(), content: z.union([z.string(), z.array(ContentPart), z.null()]).optional() }).loose();
export type ChatMessage = z.infer<typeof Message>;

/** The fields besides the messages that this server reads, the same in a single and a batched request. */
const settings = {
  model: z.string().min(1),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stream: z.boolean().nullish(),
  response_format: ResponseFormat.optional(),
};
export type ChatSettings = z.infer<z.ZodObject<typeof settings>>;

/**
 * The fields of an OpenAI chat-completion request this server reads; others (temperature,
 * guided_json, …) are accepted and ignored — vLLM ≥ 0.12 ignores guided_json too.
 */
export const ChatCompletionRequest = z
  .object({ ...settings, messages: z.array(Message).min(1) })
  .loose();
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/**
 * vLLM's batched request (/v1/chat/completions/batch, vLLM ≥ 0.26): the same fields, with
 * `messages` a list of conversations. As in vLLM, `n` must be 1 and tools are refused.
 */
export const BatchChatCompletionRequest = z
  .object({
    ...settings,
    messages: z.array(z.array(Message).min(1)).min(1).max(1_024),
    n: z.literal(1).nullish(),
    tools: z.array(z.unknown()).max(0, 'tools are not supported in a batched request').nullish(),
  })
  .loose();
export type BatchChatCompletionRequest = z.infer<typeof BatchChatCompletionRequest>;

export function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  return (message.content ?? []).map((part) => part.text ?? '').join('\n');
}

/** What the user wrote, across every user message; system prompts are instructions, not interests. */
export function userText(messages: readonly ChatMessage[]): string {
  return messages
    .filter((m) => m.role === 'user')
    .map(messageText)
    .join('\n');
}
