import { z } from 'zod';

/**
 * The job catalog: every queue, the jobs it carries, their input and their result. Workers are
 * typed against it (see `PoolHandlers`), so a job without a handler does not compile, and every
 * job's data and every child result is validated at the boundary.
 */

const Id = z.string().min(1).max(128);
const EventRef = { eventId: Id, occurredAt: z.string().min(1) };

export const ExpansionSource = z.enum(['catalog', 'llm', 'cache', 'fallback']);
export type ExpansionSource = z.infer<typeof ExpansionSource>;

export const Expansion = z.object({
  topics: z.array(z.string().min(1).max(200)).min(1).max(5),
  source: ExpansionSource,
  /** Which expander produced the topics (for LLMs: `llm:<model>`). */
  expander: z.string().min(1),
  /** The user's model variant in the LLM experiment (also on fallbacks, so variants compare fairly). */
  variant: z.string().min(1).optional(),
  /** The LLM prompt template's version. */
  promptVersion: z.string().min(1).optional(),
});
export type Expansion = z.infer<typeof Expansion>;

export const ExpandTopicsData = z.object({
  ...EventRef,
  userId: Id,
  categories: z.array(z.string()),
  seedItemIds: z.array(Id),
  locale: z.string().optional(),
});
export type ExpandTopicsData = z.infer<typeof ExpandTopicsData>;

/** Vectors travel as base64 of little-endian float32: a quarter of the size of JSON numbers. */
const VectorBase64 = z.string().min(1);

export const EmbeddedTopics = z.object({
  /** The topics the encoder could represent; none when it knew none of them (the seed items then carry the list). */
  expansion: Expansion.extend({ topics: z.array(z.string().min(1).max(200)).max(5) }),
  encoder: z.string().min(1),
  dimension: z.number().int().positive(),
  /** One per topic, in the same order. */
  vectors: z.array(VectorBase64).max(5),
});
export type EmbeddedTopics = z.infer<typeof EmbeddedTopics>;

export const EmbedTopicsData = z.object({ ...EventRef, userId: Id });
export type EmbedTopicsData = z.infer<typeof EmbedTopicsData>;

export const EmbedItemData = z.object({ ...EventRef, itemId: Id, text: z.string().min(1) });
export type EmbedItemData = z.infer<typeof EmbedItemData>;

export const EmbeddedItem = z.object({
  encoder: z.string().min(1),
  dimension: z.number().int().positive(),
  vector: VectorBase64,
});
export type EmbeddedItem = z.infer<typeof EmbeddedItem>;

export const CatalogItem = z.object({
  itemId: Id,
  title: z.string().min(1),
  authors: z.array(z.string()),
  categories: z.array(z.string()),
});
export type CatalogItem = z.infer<typeof CatalogItem>;

export const UpsertItemData = z.object({ ...EventRef, item: CatalogItem });
export type UpsertItemData = z.infer<typeof UpsertItemData>;

export const DeleteItemData = z.object({ ...EventRef, itemId: Id });
export type DeleteItemData = z.infer<typeof DeleteItemData>;

export const IndexOutcome = z.object({
  itemId: Id,
  /** `stale`: a newer mutation of the same item was already applied, so this one was skipped. */
  outcome: z.enum(['applied', 'stale']),
  walIds: z.array(z.string()),
  listsUpdated: z.number().int().nonnegative(),
});
export type IndexOutcome = z.infer<typeof IndexOutcome>;

export const RecommendUserData = z.object({
  ...EventRef,
  userId: Id,
  seedItemIds: z.array(Id),
});
export type RecommendUserData = z.infer<typeof RecommendUserData>;

export const RefreshUserData = z.object({ ...EventRef, userId: Id, itemId: Id });
export type RefreshUserData = z.infer<typeof RefreshUserData>;

export const RecommendOutcome = z.object({
  userId: Id,
  /** `no-profile`: an interaction for a user whose signup has not been processed; only `seen` was recorded. */
  outcome: z.enum(['stored', 'no-profile']),
  items: z.number().int().nonnegative(),
});
export type RecommendOutcome = z.infer<typeof RecommendOutcome>;

export const UpsertUserVectorData = z.object({
  ...EventRef,
  userId: Id,
  encoder: z.string().min(1),
  dimension: z.number().int().positive(),
  /** The user's interest vector (see apps/worker-recommend/src/user-vector.ts); occurredAt is their last activity. */
  vector: VectorBase64,
});
export type UpsertUserVectorData = z.infer<typeof UpsertUserVectorData>;

export const UserVectorOutcome = z.object({
  userId: Id,
  /** `unchanged`: the same vector was logged already (only the activity moved); `stale`: a newer event set it. */
  outcome: z.enum(['applied', 'unchanged', 'stale']),
  walIds: z.array(z.string()),
});
export type UserVectorOutcome = z.infer<typeof UserVectorOutcome>;

/** An applied item upsert, handed from the index pool to the recommend pool's fan-out. */
export const FanoutItemData = z.object({
  ...EventRef,
  itemId: Id,
  encoder: z.string().min(1),
  dimension: z.number().int().positive(),
  vector: VectorBase64,
});
export type FanoutItemData = z.infer<typeof FanoutItemData>;

export const FanoutItemOutcome = z.object({
  itemId: Id,
  /** `disabled`: FANOUT_USERS is 0; `no-users`: no user close and active enough (or no user index yet). */
  outcome: z.enum(['fanned-out', 'no-users', 'disabled']),
  users: z.number().int().nonnegative(),
});
export type FanoutItemOutcome = z.infer<typeof FanoutItemOutcome>;

/** One user's fan-out rewrite for one time window (its job id derives from both). */
export const FanoutUserData = z.object({
  userId: Id,
  /** floor(time / FANOUT_WINDOW_MS) of the window whose new items this rewrite handles. */
  window: z.number().int().nonnegative(),
});
export type FanoutUserData = z.infer<typeof FanoutUserData>;

export const FanoutUserOutcome = z.object({
  userId: Id,
  /**
   * `stored`: a pending item made the top N and the list was rewritten; `unchanged`: none did
   * (nothing written); `nothing-pending`: another run handled them; `no-profile`: skipped.
   */
  outcome: z.enum(['stored', 'unchanged', 'nothing-pending', 'no-profile']),
  newItems: z.array(Id),
});
export type FanoutUserOutcome = z.infer<typeof FanoutUserOutcome>;

const job = <D extends z.ZodType, R extends z.ZodType>(data: D, result: R) => ({ data, result });

export const JOB_CATALOG = {
  expand: {
    'expand-topics': job(ExpandTopicsData, Expansion),
  },
  embed: {
    'embed-topics': job(EmbedTopicsData, EmbeddedTopics),
    'embed-item': job(EmbedItemData, EmbeddedItem),
  },
  index: {
    'upsert-item': job(UpsertItemData, IndexOutcome),
    'delete-item': job(DeleteItemData, IndexOutcome),
    'upsert-user-vector': job(UpsertUserVectorData, UserVectorOutcome),
  },
  recommend: {
    'recommend-user': job(RecommendUserData, RecommendOutcome),
    'refresh-user': job(RefreshUserData, RecommendOutcome),
    'fanout-item': job(FanoutItemData, FanoutItemOutcome),
    'fanout-user': job(FanoutUserData, FanoutUserOutcome),
  },
} as const;

export type JobCatalog = typeof JOB_CATALOG;
export type QueueName = keyof JobCatalog;
export type JobName<Q extends QueueName> = keyof JobCatalog[Q] & string;
export const QUEUE_NAMES = Object.keys(JOB_CATALOG) as QueueName[];

export interface QueuePolicy {
  attempts: number;
  /** First retry delay; doubles each attempt (BullMQ exponential backoff). */
  backoffMs: number;
  /** A job running longer is aborted through its AbortSignal and retried. */
  timeoutMs: number;
}

export const QUEUE_POLICIES: Record<QueueName, QueuePolicy> = {
  expand: { attempts: 5, backoffMs: 1_000, timeoutMs: 60_000 },
  embed: { attempts: 5, backoffMs: 1_000, timeoutMs: 60_000 },
  index: { attempts: 8, backoffMs: 500, timeoutMs: 30_000 },
  recommend: { attempts: 5, backoffMs: 1_000, timeoutMs: 30_000 },
};
