export { CatalogStore, normaliseCategory, pairKey, type CatalogItemRecord, type CategoryStats, type MutationResult } from './catalog-store.js';
// The one key map lives in @coldstart/index-log (see its keys.ts for why); the stores' users find it here too.
export { storeKeys, type StoreKeys } from '@coldstart/index-log';
export { FanoutStore, fanoutEventId, isFanoutEventId } from './fanout-store.js';
export {
  RecommendationStore,
  recommendationIdOf,
  type ExpansionRecord,
  type RecommendationList,
  type RecommendedItem,
  type UserProfile,
} from './recommendation-store.js';
export { RedisEmbeddingCache } from './embedding-cache-store.js';
export { ItemRecordCache } from './item-record-cache.js';
