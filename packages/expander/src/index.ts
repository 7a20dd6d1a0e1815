export { categoryStatsOf } from './category-stats.js';
export { CatalogExpander, type CatalogExpanderOptions, type CategoryStatsSource } from './catalog-expander.js';
export { NothingToExpandError, type Expander, type ExpansionInput, type ExpansionResult, type SeedItem } from './expander.js';
