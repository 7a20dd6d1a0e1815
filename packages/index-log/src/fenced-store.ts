import type { RedisClient } from '@coldstart/config';
import { storeKeys, type StoreKeys } from './keys.js';
import { WriterFence } from './writer-fence.js';

/**
 * A store whose scripts write the index logs (IndexLog, and CatalogStore's item mutations): the
 * key map, and the writer's fence built from the token it was given, so every such store is
 * opened the same way: `new Store(redis, prefix, { writerToken })`.
 */
export abstract class FencedStore {
  protected readonly keys: StoreKeys;
  protected readonly fence: WriterFence;

  constructor(
    protected readonly redis: RedisClient,
    prefix: string,
    /** The fencing token from IndexLog.claimWriter; its writes are refused unless it is the current one. */
    options: { writerToken?: string } = {},
  ) {
    this.keys = storeKeys(prefix);
    this.fence = new WriterFence(redis, this.keys, options.writerToken);
  }
}
