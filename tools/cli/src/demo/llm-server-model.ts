import OpenAI from 'openai';

/**
 * The model to ask for at an OpenAI-compatible server: the given one, or the server's first
 * (vLLM serves one model per server). Also proves the server answers before the demo starts the
 * stack with it: a wrong URL is reported here, not as a pool full of fallbacks.
 */
export async function resolveLlmModel(baseUrl: string, model: string | undefined, apiKey = process.env.LLM_API_KEY): Promise<string> {
  const client = new OpenAI({ baseURL: baseUrl, apiKey: apiKey ?? 'unused', maxRetries: 0, timeout: 5_000 });
  let ids: string[];
  try {
    ids = (await client.models.list()).data.map((m) => m.id);
  } catch (error) {
    throw new Error(`the LLM server at ${baseUrl} did not list its models (GET ${baseUrl.replace(/\/$/, '')}/models): ${(error as Error).message}`, { cause: error });
  }
  if (model) {
    if (!ids.includes(model)) throw new Error(`the LLM server at ${baseUrl} does not serve "${model}"; it serves: ${ids.join(', ') || 'nothing'}`);
    return model;
  }
  const first = ids[0];
  if (!first) throw new Error(`the LLM server at ${baseUrl} serves no model`);
  return first;
}
