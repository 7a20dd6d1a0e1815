export { decodeBehaviourEntry, type BehaviourEntry } from './behaviour-entry.js';
export { BehaviourLog, DEFAULT_LEARN_SETTINGS, type Interaction, type LearnOutcome, type LearnSettings } from './behaviour-log.js';
export { BehaviourModel, DEFAULT_BEHAVIOUR_SETTINGS, type BehaviourSettings, type ScoredItem } from './behaviour-model.js';
export { BehaviourReplica } from './behaviour-replica.js';
