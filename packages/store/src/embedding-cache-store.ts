import { createHash } from 'node:crypto';
import type { RedisClient } from '@coldstart/config';
import { storeKeys, type StoreKeys } from '@coldstart/index-log';

/**
 * Embeddings by (encoder id, text), as base64 float32. Texts are hashed so keys stay short
 * whatever the text; entries expire so a retired encoder's vectors do not stay forever.
 */
export class RedisEmbeddingCache {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly ttlSeconds: number,
  ) {
    this.keys = storeKeys(prefix);
  }

  private key(encoderId: string, text: string): string {
    return this.keys.embedding(encoderId, createHash('sha256').update(text).digest('hex'));
  }

  async getMany(encoderId: string, texts: readonly string[]): Promise<(string | undefined)[]> {
    if (texts.length === 0) return [];
    const values = await this.redis.mget(...texts.map((text) => this.key(encoderId, text)));
    return values.map((value) => value ?? undefined);
  }

  async setMany(encoderId: string, entries: readonly (readonly [text: string, vector: string])[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [text, vector] of entries) pipeline.set(this.key(encoderId, text), vector, 'EX', this.ttlSeconds);
    await pipeline.exec();
  }
}
