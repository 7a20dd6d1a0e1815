export {
  ColdstartEvent,
  EVENT_LIMITS,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  ItemDeleted,
  ItemUpserted,
  MAX_BODY_BYTES,
  MAX_NESTING_DEPTH,
  SCHEMA_VERSION,
  SignupInterestItem,
  SignupInterests,
  UserInteraction,
  UserSignup,
  type EventType,
} from './event-schemas.js';
export { parseEventBody, type ParseEventBodyResult } from './parse-event-body.js';
export { peekEventRef } from './peek-event-ref.js';
export {
  EVENT_EXAMPLES,
  itemDeletedExample,
  itemUpsertedExample,
  userInteractionExample,
  userSignupExample,
} from './event-examples.js';
export { idProblem } from './text-rules.js';
export { canonicalDateTime, parseIsoDateTime } from './iso-datetime.js';
