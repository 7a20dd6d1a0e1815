export {
  CatalogStore,
  normaliseCategory,
  pairKey,
  type CatalogItemRecord,
  type CategoryStats,
  type MutationResult,
  type WalBounds,
  type WalEntry,
  FencedWriterError,
  VectorSpaceMismatchError,
} from './catalog-store.js';
export { storeKeys, type StoreKeys } from './keys.js';
export { FanoutStore, fanoutEventId, isFanoutEventId } from './fanout-store.js';
export { userIndexName, type UserVectorResult } from './user-index.js';
export { mutationVersion } from './mutation-version.js';
export {
  RecommendationStore,
  type ExpansionRecord,
  type RecommendationList,
  type RecommendedItem,
  type UserProfile,
} from './recommendation-store.js';
export { RedisEmbeddingCache } from './embedding-cache-store.js';
