import { EmptyTextError, encodeVectorBase64, hashedTextVector, type Encoder } from '@coldstart/embeddings';
import { counter } from '@coldstart/runtime';
import { PermanentError } from '@coldstart/queues';
import type { QueueHandlers } from '../catalog.js';
import { Expansion } from '../expand/jobs.js';

/** Items indexed with a vector hashed from their text, because the encoder knew no word of it. */
const fallbacks = () =>
  counter({ name: 'coldstart_embed_item_fallbacks_total', help: 'Items the encoder could not embed, indexed with a vector hashed from their text.', labelNames: ['encoder', 'reason'] });

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
    'embed-item': async (data, context) => {
      try {
        const [vector] = await encoder.encode([data.text], context.signal);
        if (!vector) throw new Error(`encoder ${encoder.id} returned no vector`);
        return { encoder: encoder.id, dimension: encoder.dimension, vector: encodeVectorBase64(vector) };
      } catch (error) {
        if (!(error instanceof EmptyTextError)) throw error;
        // A valid item is always indexed: one the encoder cannot read (another script, only
        // numbers or symbols) gets a vector hashed from its characters, and is said to have.
        fallbacks().inc({ encoder: encoder.id, reason: 'no-known-word' });
        context.logger.warn({ reason: error.message }, 'the encoder knows no word of this item; indexed with a vector hashed from its text');
        return { encoder: encoder.id, dimension: encoder.dimension, vector: encodeVectorBase64(hashedTextVector(data.text, encoder.dimension)) };
      }
    },
  };
}
