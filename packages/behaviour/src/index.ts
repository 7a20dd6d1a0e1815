export { decodeBehaviourEntry, type BehaviourEntry } from './behaviour-entry.js';
export { BehaviourLog, DEFAULT_LEARN_SETTINGS, type Interaction, type LearnOutcome, type LearnSettings } from './behaviour-log.js';
export { BehaviourModel, DEFAULT_BEHAVIOUR_SETTINGS, type BehaviourSettings, type ScoredItem } from './behaviour-model.js';
export { BehaviourReplica } from './behaviour-replica.js';
export { DEFAULT_PLACEMENT_SETTINGS, Placement, type ItemVectors, type PlacementBehaviour, type PlacementSettings } from './placement/placement.js';
export { DEFAULT_REFIT_SETTINGS, PlacementRefit, type RefitSettings } from './placement/placement-refit.js';
