import type { Command } from 'commander';
import { BehaviourLog } from '@coldstart/behaviour';
import { createRedis } from '@coldstart/queues';
import { CatalogStore } from '@coldstart/store';
import { reportAction } from '../command-kit.js';
import type { OpsConfig } from '../config.js';

/** The contract of `stats --json`: what scripts wait on while a catalog or a backfill goes in. */
export interface Stats {
  /**
   * Items a recommend replica can search: the catalog's live items. An item is live from the
   * upsert that appended its vector to its encoder's index log (the same script) until the delete
   * that removed it from every index log, so a replica that has caught up searches exactly these.
   */
  items: number;
  /** Likes in the behaviour model: first positive interactions of a user with an item, imported or from events. */
  interactions: number;
}

export async function readStats(config: OpsConfig): Promise<Stats> {
  const redis = createRedis(config.REDIS_URL, 'producer');
  try {
    const [items, interactions] = await Promise.all([new CatalogStore(redis, config.COLDSTART_PREFIX).liveCount(), new BehaviourLog(redis, config.COLDSTART_PREFIX).likes()]);
    return { items, interactions };
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

export function renderStats(stats: Stats): string {
  return [`items         ${stats.items} (searchable by a recommend replica)`, `interactions  ${stats.interactions} (likes in the behaviour model)`].join('\n');
}

/** `coldstart stats`: what the recommenders can use now. */
export function registerStatsCommand(program: Command, loadConfig: () => OpsConfig): void {
  const stats = program.command('stats').description('items a recommend replica can search and interactions in the behaviour model');
  reportAction(stats, () => readStats(loadConfig()), renderStats, { jsonHelp: 'print {"items", "interactions"}' });
}
