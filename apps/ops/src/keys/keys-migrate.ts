import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import type { RedisClient } from '@coldstart/config';
import { createRedis, scanKeys } from '@coldstart/queues';
import { RecommendationStore, storeKeys, type StoreKeys } from '@coldstart/store';
import { reportAction } from '../command-kit.js';
import type { OpsConfig } from '../config.js';

/** The contract of `keys migrate --json`. */
export interface KeysMigrateReport {
  dryRun: boolean;
  /** Keys found under their old names. */
  found: number;
  /** Moved to their new names (nothing was under the new name yet). */
  moved: number;
  /** Sets (seen sets, a list's event sets) merged into one the apps had already started under the new name. */
  merged: number;
  /** Old keys dropped because the apps had already written a newer one under the new name (profiles, fan-out state, lists). */
  superseded: number;
}

/**
 * The per-user keys under `<prefix>:user:<id>:` that moved out of a cluster's data slot into each
 * user's own slot (`{coldstart}:user:<id>:seen` → `{coldstart:u:<id>}:user:<id>:seen`, index-log's
 * keys.ts), by the suffix that names their kind. On one server the names did not change.
 */
const MOVED_KINDS = {
  seen: 'seen',
  profile: 'profile',
  'fanout-pending': 'fanoutPending',
  'fanout-done': 'fanoutDone',
} as const;

/** How many keys' types are asked at once. */
const TYPE_BATCH = 500;

/** A key found under its old name, and where it goes. */
interface FoundKey {
  key: string;
  server: Redis;
  target: string;
  /** A set: merged with one the apps already started under the new name (otherwise the new one is kept). */
  union: boolean;
  /** The user whose list this is: once moved, items deleted while it was under its old name are taken out. */
  listOf?: string;
}

/**
 * Moves the per-user keys of a Redis Cluster deployment from the names an earlier version kept
 * in the data slot to their own slots: seen sets, profiles and fan-out state
 * (`{coldstart}:user:<id>:…`, since 2026-12-06), and each user's list and the set of events that
 * wrote it (`{coldstart}:recs:<id>` and `{coldstart}:recs:<id>:events` →
 * `{coldstart:u:<id>}:recs:<id>…`, since 2026-12-07). Run once when upgrading a cluster
 * deployment (best with the pools stopped; it is safe to run again, and while the apps run: a
 * seen set or list-event set the apps have started anew is merged with the old one, and a newer
 * profile, fan-out state or list is kept). Nothing moves on one server.
 */
export async function migrateKeys(config: Pick<OpsConfig, 'REDIS_URL' | 'COLDSTART_PREFIX'>, options: { dryRun: boolean }): Promise<KeysMigrateReport> {
  const report: KeysMigrateReport = { dryRun: options.dryRun, found: 0, moved: 0, merged: 0, superseded: 0 };
  const tag = /^\{(.+)\}$/.exec(config.COLDSTART_PREFIX);
  if (!tag) return report;
  const redis = createRedis(config.REDIS_URL, 'producer');
  try {
    const keys = storeKeys(config.COLDSTART_PREFIX);
    const found: FoundKey[] = [];
    const userPrefix = `${config.COLDSTART_PREFIX}:user:`;
    for await (const { key, server } of scanKeys(redis, `${userPrefix}*`)) {
      const kind = (Object.keys(MOVED_KINDS) as (keyof typeof MOVED_KINDS)[]).find((k) => key.endsWith(`:${k}`));
      if (!kind) continue;
      const userId = key.slice(userPrefix.length, key.length - kind.length - 1);
      found.push({ key, server, target: keys[MOVED_KINDS[kind]](userId), union: kind === 'seen' });
    }
    found.push(...(await findLists(redis, config.COLDSTART_PREFIX, keys)));
    report.found = found.length;
    if (options.dryRun) return report;
    const lists = new RecommendationStore(redis, config.COLDSTART_PREFIX);
    for (const { key, server, target, union, listOf } of found) {
      const outcome = await move(redis, server, key, target, union);
      report[outcome]++;
      // A delete since the upgrade looked for the list under its new name and did not find it.
      if (outcome === 'moved' && listOf !== undefined) await lists.dropDeletedItems(listOf);
    }
    return report;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

/**
 * The users' lists and list-event sets under their old names. The pattern `<prefix>:recs:*`
 * leaves out `<prefix>:recs-by-item:<itemId>` (indexed by item, it stays in the data slot). A
 * list is `<prefix>:recs:<userId>` and its events `<prefix>:recs:<userId>:events`, and a userId
 * may itself end in `:events`, so the name alone does not tell them apart: the key's type does
 * (a list is a string, its events a set). Anything else under the pattern is left alone.
 */
async function findLists(redis: RedisClient, prefix: string, keys: StoreKeys): Promise<FoundKey[]> {
  const listPrefix = `${prefix}:recs:`;
  const candidates: { key: string; server: Redis }[] = [];
  for await (const found of scanKeys(redis, `${listPrefix}*`)) candidates.push(found);
  const found: FoundKey[] = [];
  for (let start = 0; start < candidates.length; start += TYPE_BATCH) {
    const batch = candidates.slice(start, start + TYPE_BATCH);
    const types = await Promise.all(batch.map(({ key, server }) => server.type(key)));
    batch.forEach(({ key, server }, i) => {
      const rest = key.slice(listPrefix.length);
      if (types[i] === 'string') found.push({ key, server, target: keys.recommendations(rest), union: false, listOf: rest });
      else if (types[i] === 'set' && rest.endsWith(':events')) {
        found.push({ key, server, target: keys.recommendationEvents(rest.slice(0, -':events'.length)), union: true });
      }
    });
  }
  return found;
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
  return `${report.found} per-user keys found under their old names: ${report.moved} moved, ${report.merged} sets merged, ${report.superseded} superseded by newer ones`;
}

/** `coldstart keys migrate`: per-user keys (lists included) of a cluster deployment into their users' own slots. */
export function registerKeysCommands(program: Command, loadConfig: () => OpsConfig): void {
  const migrate = program
    .command('keys')
    .description("the deployment's Redis keys")
    .command('migrate')
    .description("move a Redis Cluster deployment's per-user keys (lists and their event sets, seen sets, profiles, fan-out state) from the data slot into each user's own slot, once, when upgrading (nothing moves on one server)")
    .option('--dry-run', 'count what would move, move nothing');
  reportAction(migrate, (options: { dryRun?: boolean; json?: boolean }) => migrateKeys(loadConfig(), { dryRun: options.dryRun ?? false }), renderKeysMigrate, {
    jsonHelp: 'print {"dryRun", "found", "moved", "merged", "superseded"}',
  });
}
