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
type Message = z.infer<typeof Message>;

/**
 * The fields of an OpenAI chat-completion request this server reads; others (temperature,
 * guided_json, …) are accepted and ignored — vLLM ≥ 0.12 ignores guided_json too.
 */
export const ChatCompletionRequest = z
  .object({
    model: z.string().min(1),
    messages: z.array(Message).min(1),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    stream: z.boolean().nullish(),
    response_format: ResponseFormat.optional(),
  })
  .loose();
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export function messageText(message: Message): string {
  if (typeof message.content === 'string') return message.content;
  return (message.content ?? []).map((part) => part.text ?? '').join('\n');
}

/** What the user wrote, across every user message; system prompts are instructions, not interests. */
export function userText(request: ChatCompletionRequest): string {
  return request.messages
    .filter((m) => m.role === 'user')
    .map(messageText)
    .join('\n');
}
