import { EmptyTextError, encodeVectorBase64, type Encoder } from '@coldstart/embeddings';
import { PermanentError } from '@coldstart/queues';
import type { QueueHandlers } from '../catalog.js';
import { Expansion } from '../expand/jobs.js';

export function makeEmbedHandlers(deps: { encoder: Encoder }): QueueHandlers<'embed'> {
  const { encoder } = deps;
  return {
    'embed-topics': async (data, { signal, childResults }) => {
      const [expansion] = await childResults(Expansion);
      if (!expansion) throw new PermanentError(`embed-topics for user ${data.userId} has no expansion result`);
      // A topic the encoder cannot represent (no known word) is dropped, not fatal: the
      // user is still served from the others, or, if there are none (an LLM answer of
      // gibberish or of another language), from their seed items alone.
      const topics: string[] = [];
      const vectors: string[] = [];
      for (const topic of expansion.topics) {
        try {
          const [vector] = await encoder.encode([topic], signal);
          if (vector) {
            topics.push(topic);
            vectors.push(encodeVectorBase64(vector));
          }
        } catch (error) {
          if (!(error instanceof EmptyTextError)) throw error;
        }
      }
      return { expansion: { ...expansion, topics }, encoder: encoder.id, dimension: encoder.dimension, vectors };
    },
    'embed-item': async (data, { signal }) => {
      try {
        const [vector] = await encoder.encode([data.text], signal);
        if (!vector) throw new Error(`encoder ${encoder.id} returned no vector`);
        return { encoder: encoder.id, dimension: encoder.dimension, vector: encodeVectorBase64(vector) };
      } catch (error) {
        if (error instanceof EmptyTextError) throw new PermanentError(`item ${data.itemId}: ${error.message}`, { cause: error });
        throw error;
      }
    },
  };
}
