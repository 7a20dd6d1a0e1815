export { defaultDataDir } from './data-dir.js';
export { GoodbooksDataError } from './data-error.js';
export { loadFold } from './load-fold.js';
export { type Book, type Fold, FOLD_NAMES, type FoldName, type Rating } from './types.js';
export { usersWithMinRatings } from './users-with-min-ratings.js';
export { bookItemEvent } from './item-event.js';
