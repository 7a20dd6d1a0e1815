import type { BehaviourLog } from '@coldstart/behaviour';
import { PermanentError } from '@coldstart/queues';
import type { QueueHandlers } from '../catalog.js';

export interface LearnDeps {
  /** The behaviour log under the index pool's fencing token (the one writer of every log). */
  behaviour: Pick<BehaviourLog, 'learn'>;
}

/**
 * The learn stage: interactions (a signup's seeds, `user.interaction` events, imported history)
 * go into the behaviour log, each at most once. A retried job re-sends the same eventIds, which
 * the log's script recognises, so nothing counts twice.
 */
export function makeLearnHandlers(deps: LearnDeps): Pick<QueueHandlers<'index'>, 'learn-interactions'> {
  return {
    'learn-interactions': async (data) => {
      const interactions = data.interactions.map((i) => {
        const atMs = Date.parse(i.occurredAt);
        if (!Number.isFinite(atMs)) throw new PermanentError(`interaction ${i.eventId}: occurredAt ${JSON.stringify(i.occurredAt)} is not a date-time`);
        return { eventId: i.eventId, userId: i.userId, itemId: i.itemId, rating: i.rating, atMs };
      });
      const outcomes = await deps.behaviour.learn(interactions);
      const count = (outcome: string) => outcomes.filter((o) => o === outcome).length;
      return { learned: count('learned'), duplicates: count('duplicate'), repeats: count('repeat'), negatives: count('negative') };
    },
  };
}
