import type { AttributionMetrics, AttributionStore } from '@coldstart/experiments';
import { PermanentError } from '@coldstart/queues';
import type { QueueHandlers } from '../catalog.js';

export interface AttributeDeps {
  attribution: Pick<AttributionStore, 'attribute'>;
  metrics: AttributionMetrics;
}

/**
 * The attribute stage: a user.interaction is credited to the served list it came from (its
 * recommendationId, or the user's newest served list) and so to that list's experiment variant
 * and the item's reason kind, exactly once per eventId (attribution-store.ts). An interaction
 * that matches no list is not an error: the user found the item elsewhere; it is counted by
 * outcome and learned all the same.
 */
export function makeAttributeHandlers(deps: AttributeDeps): Pick<QueueHandlers<'recommend'>, 'attribute-interaction'> {
  return {
    'attribute-interaction': async (data, context) => {
      const result = await deps.attribution.attribute(data).catch((error: unknown) => {
        // A served list's record that does not parse will not parse on a retry either.
        throw error instanceof SyntaxError ? new PermanentError(`the served list ${data.recommendationId ?? '(the newest)'} has an unreadable record: ${error.message}`) : error;
      });
      deps.metrics.outcomes.inc({ outcome: result.outcome });
      if (result.outcome !== 'attributed') {
        if (result.outcome === 'other-user') context.logger.warn({ recommendationId: data.recommendationId }, 'interaction names another user’s recommendationId; not attributed');
        return { outcome: result.outcome };
      }
      const { record, kind, positive } = result;
      const labels = { experiment: record.experiment, variant: record.variant, reason_kind: kind };
      deps.metrics.clicks.inc(labels);
      if (positive) deps.metrics.positives.inc(labels);
      context.logger.debug({ ...labels, expander: record.expander, promptVersion: record.promptVersion, encoder: record.encoder, positive }, 'interaction attributed');
      return { outcome: 'attributed', variant: record.variant, reasonKind: kind };
    },
  };
}
