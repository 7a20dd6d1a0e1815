export {
  AttributionStore,
  hourOf,
  reasonKindOf,
  type AttributedInteraction,
  type AttributionOutcome,
  type AttributionSettings,
  type ServedList,
  type ServedRecord,
} from './attribution-store.js';
export { attributionMetrics, type AttributionMetrics } from './attribution-metrics.js';
export { REASON_KINDS, type ExperimentCounts, type KindCounts, type MomentSums, type ReasonKind, type VariantCounts } from './counts.js';
export {
  buildExperimentReport,
  formatInterval,
  renderExperimentReport,
  signed,
  type Comparison,
  type ExperimentReport,
  type ExperimentReportOptions,
  type Interval,
  type KindReport,
  type VariantReport,
  type Verdict,
} from './experiment-report.js';
