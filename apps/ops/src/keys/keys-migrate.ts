import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import type { RedisClient } from '@coldstart/config';
import { createRedis, scanKeys } from '@coldstart/queues';
import { storeKeys } from '@coldstart/store';
import { reportAction } from '../command-kit.js';
import type { OpsConfig } from '../config.js';

/** The contract of `keys migrate --json`. */
export interface KeysMigrateReport {
  dryRun: boolean;
  /** Keys found under their old names. */
  found: number;
  /** Moved to their new names (nothing was under the new name yet). */
  moved: number;
  /** Seen sets merged into one the apps had already started under the new name. */
  merged: number;
  /** Old keys dropped because the apps had already written a newer one under the new name (profiles, fan-out state). */
  superseded: number;
}

/**
 * The per-user keys that moved out of a cluster's data slot into each user's own slot
 * (`{coldstart}:user:<id>:seen` → `{coldstart:u:<id>}:user:<id>:seen`, index-log's keys.ts), by
 * the suffix that names their kind. On one server the names did not change.
 */
const MOVED_KINDS = {
  seen: 'seen',
  profile: 'profile',
  'fanout-pending': 'fanoutPending',
  'fanout-done': 'fanoutDone',
} as const;

/**
 * Moves the per-user keys of a Redis Cluster deployment from the names an earlier version kept
 * in the data slot to their own slots. Run once when upgrading a cluster deployment (best with
 * the pools stopped; it is safe to run again, and while the apps run: a seen set the apps have
 * started anew is merged with the old one, and a newer profile or fan-out state is kept).
 * Nothing moves on one server.
 */
export async function migrateKeys(config: Pick<OpsConfig, 'REDIS_URL' | 'COLDSTART_PREFIX'>, options: { dryRun: boolean }): Promise<KeysMigrateReport> {
  const report: KeysMigrateReport = { dryRun: options.dryRun, found: 0, moved: 0, merged: 0, superseded: 0 };
  const tag = /^\{(.+)\}$/.exec(config.COLDSTART_PREFIX);
  if (!tag) return report;
  const redis = createRedis(config.REDIS_URL, 'producer');
  try {
    const keys = storeKeys(config.COLDSTART_PREFIX);
    const oldPrefix = `${config.COLDSTART_PREFIX}:user:`;
    const found: { key: string; server: Redis; kind: keyof typeof MOVED_KINDS; userId: string }[] = [];
    for await (const { key, server } of scanKeys(redis, `${oldPrefix}*`)) {
      const kind = (Object.keys(MOVED_KINDS) as (keyof typeof MOVED_KINDS)[]).find((k) => key.endsWith(`:${k}`));
      if (!kind) continue;
      found.push({ key, server, kind, userId: key.slice(oldPrefix.length, key.length - kind.length - 1) });
    }
    report.found = found.length;
    if (options.dryRun) return report;
    for (const { key, server, kind, userId } of found) {
      const target = keys[MOVED_KINDS[kind]](userId);
      report[await move(redis, server, key, target, kind === 'seen')]++;
    }
    return report;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** One key to its new name (another slot, so DUMP and RESTORE, then the old one removed). */
async function move(redis: RedisClient, server: Redis, from: string, to: string, union: boolean): Promise<'moved' | 'merged' | 'superseded'> {
  if ((await redis.exists(to)) === 0) {
    const [dump, ttl] = await Promise.all([server.dumpBuffer(from), server.pttl(from)]);
    if (dump !== null) {
      // RESTORE fails on a key the apps wrote meanwhile: then it is merged or superseded below.
      const restored = await redis.restore(to, Math.max(0, ttl), dump).then(
        () => true,
        (error: Error) => (/BUSYKEY/.test(error.message) ? false : Promise.reject(error)),
      );
      if (restored) {
        await server.del(from);
        return 'moved';
      }
    }
  }
  if (union) {
    const members = await server.smembers(from);
    if (members.length > 0) await redis.sadd(to, ...members);
  }
  await server.del(from);
  return union ? 'merged' : 'superseded';
}

export function renderKeysMigrate(report: KeysMigrateReport): string {
  if (report.dryRun) return `${report.found} per-user keys would move to their users' own slots`;
  return `${report.found} per-user keys found under their old names: ${report.moved} moved, ${report.merged} seen sets merged, ${report.superseded} superseded by newer ones`;
}

/** `coldstart keys migrate`: per-user keys of a cluster deployment into their users' own slots. */
export function registerKeysCommands(program: Command, loadConfig: () => OpsConfig): void {
  const migrate = program
    .command('keys')
    .description("the deployment's Redis keys")
    .command('migrate')
    .description("move a Redis Cluster deployment's per-user keys (seen sets, profiles, fan-out state) from the data slot into each user's own slot, once, when upgrading (nothing moves on one server)")
    .option('--dry-run', 'count what would move, move nothing');
  reportAction(migrate, (options: { dryRun?: boolean; json?: boolean }) => migrateKeys(loadConfig(), { dryRun: options.dryRun ?? false }), renderKeysMigrate, {
    jsonHelp: 'print {"dryRun", "found", "moved", "merged", "superseded"}',
  });
}
