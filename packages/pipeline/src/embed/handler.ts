import { EmptyTextError, encodeVectorBase64, hashedTextVector, type Encoder } from '@coldstart/embeddings';
import { counter } from '@coldstart/runtime';
import { PermanentError } from '@coldstart/queues';
import type { QueueHandlers } from '../catalog.js';
import { ExpandedSignups, type Expansion } from '../expand/jobs.js';
import type { Hops } from '../graph.js';
import { settleEach, signupGoesOnAlone } from '../settle-each.js';
import type { EmbeddedTopics } from './jobs.js';

/** Items indexed with a vector hashed from their text, because the encoder knew no word of it. */
const fallbacks = () =>
  counter({ name: 'coldstart_embed_item_fallbacks_total', help: 'Items the encoder could not embed, indexed with a vector hashed from their text.', labelNames: ['encoder', 'reason'] });

export interface EmbedDeps {
  encoder: Encoder;
  /** Where a signup that fails in a batch goes on alone (settle-each.ts). */
  signupAlone: Hops['signupAlone'];
}

export function makeEmbedHandlers(deps: EmbedDeps): QueueHandlers<'embed'> {
  const { encoder } = deps;

  async function embedTopics(expansion: Expansion, signal: AbortSignal): Promise<EmbeddedTopics> {
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
  }

  return {
    'embed-topics': async (data, context) => {
      const [expanded] = await context.childResults(ExpandedSignups);
      if (!expanded) throw new PermanentError(`embed-topics for ${data.signups.length} signup(s) has no expansion result`);
      const byEvent = new Map(expanded.signups.map((s) => [s.eventId, s.expansion]));
      // Signups without an expansion were split off by the expand stage into flows of their own.
      const signups = data.signups.filter((signup) => byEvent.has(signup.eventId));
      const embedded = await settleEach(
        'embed-topics',
        signups,
        (signup) => embedTopics(byEvent.get(signup.eventId) as Expansion, context.signal),
        signupGoesOnAlone(context, deps.signupAlone, 'embedding its topics'),
      );
      return { signups: embedded.map(({ entry, result }) => ({ eventId: entry.eventId, ...result })) };
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
