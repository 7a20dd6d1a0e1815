import { counter, type Registry } from '@coldstart/runtime';

/**
 * The attribution counts as Prometheus counters, per process (Prometheus sums the processes).
 * Labels stay bounded: experiments and variants come from the configuration, reason kinds and
 * outcomes are fixed sets, and no user or item id is ever a label.
 */
export function attributionMetrics(registry?: Registry) {
  const common = registry ? { registry } : {};
  return {
    impressions: counter({
      name: 'coldstart_experiment_lists_served_total',
      help: 'List versions served by the API for the first time (impressions), by experiment and variant.',
      labelNames: ['experiment', 'variant'] as const,
      ...common,
    }),
    slots: counter({
      name: 'coldstart_experiment_slots_served_total',
      help: 'Slots of first-served lists, by experiment, variant and the item’s reason kind.',
      labelNames: ['experiment', 'variant', 'reason_kind'] as const,
      ...common,
    }),
    clicks: counter({
      name: 'coldstart_experiment_clicks_total',
      help: 'Interactions attributed to a served list, by experiment, variant and the item’s reason kind.',
      labelNames: ['experiment', 'variant', 'reason_kind'] as const,
      ...common,
    }),
    positives: counter({
      name: 'coldstart_experiment_positives_total',
      help: 'Attributed interactions that were positive (rated at or above the threshold, or unrated), by experiment, variant and reason kind.',
      labelNames: ['experiment', 'variant', 'reason_kind'] as const,
      ...common,
    }),
    outcomes: counter({
      name: 'coldstart_attribution_interactions_total',
      help: 'Interactions seen by attribution, by outcome: attributed, duplicate, no-list, other-user, not-in-list.',
      labelNames: ['outcome'] as const,
      ...common,
    }),
  };
}
export type AttributionMetrics = ReturnType<typeof attributionMetrics>;
