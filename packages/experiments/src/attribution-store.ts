import { runScript, type RedisClient } from '@coldstart/config';
import { storeKeys, type StoreKeys } from '@coldstart/index-log';
import { REASON_KINDS, type ExperimentCounts, type KindCounts, type MomentSums, type ReasonKind, type VariantCounts } from './counts.js';

/** The experiment and variant a list counts under when its expansion names none (no LLM experiment configured). */
export const DEFAULT_EXPERIMENT = 'expansion';
export const DEFAULT_VARIANT = 'default';

const HOUR_MS = 3_600_000;
export const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);

/** What attribution needs of a served list: @coldstart/store's RecommendationList, as the API serves it. */
export interface ServedList {
  userId: string;
  recommendationId: string;
  generatedAt: string;
  expansion: { expander: string; variant?: string | undefined; promptVersion?: string | undefined; experiment?: string | undefined };
  encoder: string;
  items: { itemId: string; reason: string; reasonKind?: string | undefined }[];
}

/** A served list version as attribution keeps it (the list itself is overwritten by the next one). */
export interface ServedRecord {
  userId: string;
  experiment: string;
  variant: string;
  expander: string;
  promptVersion?: string;
  encoder: string;
  /** The clock hour (ms / 3,600,000) it was first served: its clicks count in that hour's unit. */
  hour: number;
  items: [itemId: string, kind: ReasonKind][];
}

/** An interaction to attribute (a user.interaction event). */
export interface AttributedInteraction {
  eventId: string;
  userId: string;
  itemId: string;
  rating?: number | undefined;
  recommendationId?: string | undefined;
}

export type AttributionOutcome =
  /** Counted: a click (and a positive when it was one) for the list's variant and the item's reason kind. */
  | { outcome: 'attributed'; record: ServedRecord; kind: ReasonKind; positive: boolean }
  /** This eventId was attributed before (a redelivery or a retried job). */
  | { outcome: 'duplicate' }
  /** No list with that recommendationId was served within the window, or (without one) none to the user. */
  | { outcome: 'no-list' }
  /** The recommendationId names another user's list. */
  | { outcome: 'other-user' }
  /** The item was not in the list. */
  | { outcome: 'not-in-list' };

const LABELLED_KINDS = new Set<string>(['seed', 'also-liked', 'popular-in', 'new-in']);

/**
 * The reason kind of a list item: recorded with the item since lists carry it; for older lists,
 * read off the reason label (`<kind>:<source>`, `popular`, `exploring`, or a topic's text).
 */
export function reasonKindOf(item: { reason: string; reasonKind?: string | undefined }): ReasonKind {
  if (item.reasonKind && (REASON_KINDS as readonly string[]).includes(item.reasonKind)) return item.reasonKind as ReasonKind;
  if (item.reason === 'popular' || item.reason === 'exploring') return item.reason;
  const prefix = item.reason.split(':', 1)[0] ?? '';
  return LABELLED_KINDS.has(prefix) && item.reason.length > prefix.length + 1 ? (prefix as ReasonKind) : 'topic';
}

// One impression: the first time a list version is served it is recorded and counted (lists,
// the unit's moments, slots by reason kind, the variant's users); serving it again only keeps
// it the user's newest served list. Atomic, so concurrent reads of one list count it once.
// KEYS: served, lastServed, unit, hour, users, experiments. ARGV: recommendationId, generatedAt
// (ms), ttl (s), record json, variant, retention (s), userId, experiment, then kind, count pairs.
const RECORD_IMPRESSION = `
local ttl = tonumber(ARGV[3])
local last = redis.call('GET', KEYS[2])
if not last or tonumber(string.match(last, '^(%d+)')) <= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[2] .. ' ' .. ARGV[1], 'EX', ttl)
end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[4], 'EX', ttl)
local l = redis.call('HINCRBY', KEYS[3], 'l', 1)
redis.call('EXPIRE', KEYS[3], ttl + 3600)
local c = tonumber(redis.call('HGET', KEYS[3], 'c') or '0')
local p = tonumber(redis.call('HGET', KEYS[3], 'p') or '0')
local v = ARGV[5] .. '\\t'
if l == 1 then redis.call('HINCRBY', KEYS[4], v .. 'units', 1) end
redis.call('HINCRBY', KEYS[4], v .. 'lists', 1)
redis.call('HINCRBY', KEYS[4], v .. 'listsSq', 2 * l - 1)
if c > 0 then redis.call('HINCRBY', KEYS[4], v .. 'listsClicks', c) end
if p > 0 then redis.call('HINCRBY', KEYS[4], v .. 'listsPositives', p) end
for i = 9, #ARGV, 2 do redis.call('HINCRBY', KEYS[4], v .. 'kind\\t' .. ARGV[i] .. '\\tslots', tonumber(ARGV[i + 1])) end
local retention = tonumber(ARGV[6])
redis.call('EXPIRE', KEYS[4], retention)
redis.call('PFADD', KEYS[5], ARGV[7])
redis.call('EXPIRE', KEYS[5], retention)
redis.call('SADD', KEYS[6], ARGV[8])
return 1
`;

// One attributed interaction, once per eventId: the marker and the counts change together or
// not at all, so a redelivery, a retried job or a process killed mid-way never counts twice.
// KEYS: marker, served, unit, hour. ARGV: marker ttl (s), variant, kind, positive (1/0).
const ATTRIBUTE = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 'no-list' end
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[1])) then return 'duplicate' end
local v = ARGV[2] .. '\\t'
local k = v .. 'kind\\t' .. ARGV[3] .. '\\t'
local l = tonumber(redis.call('HGET', KEYS[3], 'l') or '0')
local c = redis.call('HINCRBY', KEYS[3], 'c', 1)
redis.call('HINCRBY', KEYS[4], v .. 'clicks', 1)
redis.call('HINCRBY', KEYS[4], v .. 'clicksSq', 2 * c - 1)
redis.call('HINCRBY', KEYS[4], v .. 'listsClicks', l)
redis.call('HINCRBY', KEYS[4], k .. 'clicks', 1)
if ARGV[4] == '1' then
  local p = redis.call('HINCRBY', KEYS[3], 'p', 1)
  redis.call('HINCRBY', KEYS[4], v .. 'positives', 1)
  redis.call('HINCRBY', KEYS[4], v .. 'positivesSq', 2 * p - 1)
  redis.call('HINCRBY', KEYS[4], v .. 'listsPositives', l)
  redis.call('HINCRBY', KEYS[4], k .. 'positives', 1)
end
return 'attributed'
`;

export interface AttributionSettings {
  /** How long after it is first served a list can be credited with an interaction. */
  windowSeconds: number;
  /** How long the hourly counts are kept (what `experiments report --since` can reach back to). */
  retentionDays: number;
  /** Ratings at or above it are positive; an unrated interaction is positive. */
  positiveRating: number;
}

const MOMENTS: readonly (keyof MomentSums)[] = ['units', 'lists', 'clicks', 'positives', 'listsSq', 'clicksSq', 'positivesSq', 'listsClicks', 'listsPositives'];

/**
 * Attribution of what users do to the list that caused it (issue 19): the API records each list
 * version it serves (an impression), the recommend pool credits each interaction with an item
 * of a served list to the list's experiment, variant and the item's reason kind, and
 * `coldstart experiments report` reads the hourly counts back.
 */
export class AttributionStore {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly settings: AttributionSettings,
  ) {
    this.keys = storeKeys(prefix);
  }

  /**
   * Records that the API served this list. The first time this list version is served, returns
   * its record (experiment, variant, each item's reason kind) as counted; undefined after.
   */
  async recordImpression(list: ServedList, nowMs: number): Promise<ServedRecord | undefined> {
    const { keys } = this;
    const record = servedRecordOf(list, hourOf(nowMs));
    const slots = new Map<ReasonKind, number>();
    for (const [, kind] of record.items) slots.set(kind, (slots.get(kind) ?? 0) + 1);
    const generatedMs = Date.parse(list.generatedAt);
    const result = await runScript(
      this.redis,
      RECORD_IMPRESSION,
      [
        keys.servedList(list.recommendationId),
        keys.lastServed(list.userId),
        keys.experimentUnit(record.experiment, record.hour, list.userId),
        keys.experimentHour(record.experiment, record.hour),
        keys.experimentUsers(record.experiment, record.hour, record.variant),
        keys.experiments,
      ],
      [
        list.recommendationId,
        String(Number.isFinite(generatedMs) ? generatedMs : nowMs),
        String(this.settings.windowSeconds),
        JSON.stringify(record),
        record.variant,
        String(this.settings.retentionDays * 86_400),
        list.userId,
        record.experiment,
        ...[...slots].flatMap(([kind, count]) => [kind, String(count)]),
      ],
    );
    return result === 1 ? record : undefined;
  }

  /**
   * Credits an interaction to the list it came from: the list its recommendationId names, or
   * without one the user's newest served list, within the window. Exactly once per eventId.
   */
  async attribute(interaction: AttributedInteraction): Promise<AttributionOutcome> {
    const { keys } = this;
    let recommendationId = interaction.recommendationId;
    if (recommendationId === undefined) {
      const last = await this.redis.get(keys.lastServed(interaction.userId));
      recommendationId = last?.split(' ')[1];
      if (!recommendationId) return { outcome: 'no-list' };
    }
    const raw = await this.redis.get(keys.servedList(recommendationId));
    if (raw === null) return { outcome: 'no-list' };
    const record = JSON.parse(raw) as ServedRecord;
    if (record.userId !== interaction.userId) return { outcome: 'other-user' };
    const kind = record.items.find(([itemId]) => itemId === interaction.itemId)?.[1];
    if (kind === undefined) return { outcome: 'not-in-list' };
    const positive = interaction.rating === undefined || interaction.rating >= this.settings.positiveRating;
    const result = (await runScript(
      this.redis,
      ATTRIBUTE,
      [
        keys.attributedEvent(interaction.eventId),
        keys.servedList(recommendationId),
        keys.experimentUnit(record.experiment, record.hour, record.userId),
        keys.experimentHour(record.experiment, record.hour),
      ],
      // The marker outlives the list's record, so a redelivery is a duplicate, never a fresh count.
      [String(this.settings.windowSeconds + 86_400), record.variant, kind, positive ? '1' : '0'],
    )) as 'attributed' | 'duplicate' | 'no-list';
    return result === 'attributed' ? { outcome: 'attributed', record, kind, positive } : { outcome: result };
  }

  /** The experiments that have counts (within the retention). */
  async experiments(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.experiments)).sort();
  }

  /** An experiment's counts from the hour holding `sinceMs` to the hour holding `nowMs`. */
  async counts(experiment: string, sinceMs: number, nowMs: number): Promise<ExperimentCounts> {
    const { keys } = this;
    const hours: number[] = [];
    for (let hour = hourOf(sinceMs); hour <= hourOf(nowMs); hour += 1) hours.push(hour);
    const pipeline = this.redis.pipeline();
    for (const hour of hours) pipeline.hgetall(keys.experimentHour(experiment, hour));
    const replies = (await pipeline.exec()) ?? [];
    const byVariant = new Map<string, Omit<VariantCounts, 'users'>>();
    for (const [error, fields] of replies) {
      if (error) throw error;
      for (const [field, value] of Object.entries(fields as Record<string, string>)) {
        const [variant, name, kind, kindField] = field.split('\t') as [string, string, string?, string?];
        let counts = byVariant.get(variant);
        if (!counts) byVariant.set(variant, (counts = { variant, ...zeroMoments(), kinds: {} }));
        if (name === 'kind' && kind && kindField) {
          const kinds = (counts.kinds[kind as ReasonKind] ??= { slots: 0, clicks: 0, positives: 0 });
          kinds[kindField as keyof KindCounts] += Number(value);
        } else if ((MOMENTS as readonly string[]).includes(name)) {
          counts[name as keyof MomentSums] += Number(value);
        }
      }
    }
    const variants: VariantCounts[] = [];
    for (const counts of [...byVariant.values()].sort((a, b) => a.variant.localeCompare(b.variant))) {
      // PFCOUNT of several HyperLogLogs counts their union: users served in more than one hour once.
      const users = hours.length > 0 ? await this.redis.pfcount(...hours.map((hour) => keys.experimentUsers(experiment, hour, counts.variant))) : 0;
      variants.push({ ...counts, users });
    }
    return { experiment, since: new Date(hourOf(sinceMs) * HOUR_MS).toISOString(), variants };
  }
}

function zeroMoments(): MomentSums {
  return { units: 0, lists: 0, clicks: 0, positives: 0, listsSq: 0, clicksSq: 0, positivesSq: 0, listsClicks: 0, listsPositives: 0 };
}

function servedRecordOf(list: ServedList, hour: number): ServedRecord {
  const { expansion } = list;
  return {
    userId: list.userId,
    experiment: expansion.experiment ?? DEFAULT_EXPERIMENT,
    variant: expansion.variant ?? DEFAULT_VARIANT,
    expander: expansion.expander,
    ...(expansion.promptVersion ? { promptVersion: expansion.promptVersion } : {}),
    encoder: list.encoder,
    hour,
    items: list.items.map((item) => [item.itemId, reasonKindOf(item)]),
  };
}
