import { SLOT_GROUPS, slotGroup } from '@coldstart/config';

/**
 * Every Redis key coldstart writes outside BullMQ, in one place. A deployment (or a test run)
 * owns everything under its prefix. Scripts touch several of these keys at once and receive
 * every one of them from here (in KEYS), never building one.
 *
 * On Redis Cluster the prefix is a hash tag (`{coldstart}`, @coldstart/config's
 * `deploymentPrefix`), so the keys under it share one slot, the data slot: the item script
 * appends to the index logs under the writer's fencing token, the behaviour log's learn script
 * updates the log, the liking users' likes and the items at once under the same token, and a
 * list's items are checked against their records and indexed by item (with the list's version,
 * so a delete finds every list that may hold the item). Groups that no script joins to these
 * have slots of their own (`slotGroup`): each user's list, seen set, profile and fan-out state
 * (`userSlotGroup`: `{coldstart:u:<userId>}`, spread over every shard), the experiment counts
 * (`experiments`), the embedding cache (`embeddings`), and, outside this
 * map, BullMQ's queues (@coldstart/queues' QueuePartitions) and the LLM's caches
 * (@coldstart/llm). On one server the groups change no key name.
 *
 * It lives in @coldstart/index-log, the lowest package that writes Redis: @coldstart/store's
 * item script appends to the index logs, so store depends on this package and re-exports the
 * map for the stores' own users; kept in store, the log's keys would make a cycle.
 */
/** The slot group of one user's own keys (`slotGroup`): on a cluster the users spread over every shard. */
const userSlotGroup = (userId: string) => `u:${userId}`;

export function storeKeys(prefix: string) {
  const experiments = slotGroup(prefix, SLOT_GROUPS.experiments);
  const embeddings = slotGroup(prefix, SLOT_GROUPS.embeddings);
  const user = (userId: string) => slotGroup(prefix, userSlotGroup(userId));
  return {
    item: (itemId: string) => `${prefix}:item:${itemId}`,
    liveItems: `${prefix}:catalog:live`,
    /** How many item deletes were applied: a list write that sees it unchanged since its check skips checking again. */
    catalogDeletes: `${prefix}:catalog:deletes`,
    categoryCounts: `${prefix}:catalog:category-counts`,
    categoryPairs: `${prefix}:catalog:category-pairs`,
    /** Encoders that have an index; each index is named after its encoder. */
    indexes: `${prefix}:catalog:indexes`,
    wal: (index: string) => `${prefix}:index:${index}:wal`,
    indexMeta: (index: string) => `${prefix}:index:${index}:meta`,
    /** The single writer of every index log: its lease (owner, expiring) and the fencing counter. */
    writerLease: `${prefix}:index:writer:lease`,
    writerToken: `${prefix}:index:writer:token`,
    /** User-vector indexes (`users@<encoder>`): kept apart from `indexes`, whose logs get every item delete. */
    userIndexes: `${prefix}:catalog:user-indexes`,
    /** Per user-vector index: each user's newest mutation version, their vector's digest, and when they were last active (ms). */
    userVersions: (index: string) => `${prefix}:index:${index}:user-versions`,
    userDigests: (index: string) => `${prefix}:index:${index}:user-digests`,
    userActivity: (index: string) => `${prefix}:index:${index}:active`,
    /** A user's list and the events that wrote it, in the user's own slot (@coldstart/store's RecommendationStore). */
    recommendations: (userId: string) => `${user(userId)}:recs:${userId}`,
    recommendationEvents: (userId: string) => `${user(userId)}:recs:${userId}:events`,
    /** The version of the user's list: 1 more with every list `put` stores (its by-item entries carry it). */
    listVersion: (userId: string) => `${user(userId)}:recs:${userId}:version`,
    repeatedEvents: `${prefix}:stats:repeated-events`,
    /** The users whose list may hold an item (member: userId, score: the version of the list that put it there). */
    listsByItem: (itemId: string) => `${prefix}:lists-by-item:${itemId}`,
    /** The same as a plain set, as versions before 2026-12-07 kept it: still read (and removed) when the item is deleted. */
    legacyListsByItem: (itemId: string) => `${prefix}:recs-by-item:${itemId}`,
    seen: (userId: string) => `${user(userId)}:user:${userId}:seen`,
    profile: (userId: string) => `${user(userId)}:user:${userId}:profile`,
    /** New items waiting for a user's fan-out rewrite (member: itemId, score: its window). */
    fanoutPending: (userId: string) => `${user(userId)}:user:${userId}:fanout-pending`,
    /** The newest fan-out window whose rewrite has started for a user. */
    fanoutDone: (userId: string) => `${user(userId)}:user:${userId}:fanout-done`,
    /** Users served before this seed item of theirs was indexed: their lists are rebuilt when it is. */
    awaitedBy: (itemId: string) => `${prefix}:item:${itemId}:awaited-by`,
    acceptedEvent: (eventId: string) => `${prefix}:event:${eventId}`,
    /** The behaviour log (@coldstart/behaviour), its meta (entries and likes appended), and what its writer keeps per user and event. */
    behaviourLog: `${prefix}:behaviour:log`,
    behaviourMeta: `${prefix}:behaviour:meta`,
    behaviourEvent: (eventId: string) => `${prefix}:behaviour:event:${eventId}`,
    /** Items a user liked (so a repeated like counts once), and their most recent likes, newest first (co-occurrence partners). */
    likedBy: (userId: string) => `${prefix}:user:${userId}:liked`,
    recentLikes: (userId: string) => `${prefix}:user:${userId}:recent-likes`,
    embedding: (encoderId: string, textHash: string) => `${embeddings}:embedding:${encoderId}:${textHash}`,
    /** Attribution (@coldstart/experiments): a served list version's record, the user's newest served list, an attributed interaction. */
    servedList: (recommendationId: string) => `${experiments}:attribution:list:${recommendationId}`,
    lastServed: (userId: string) => `${experiments}:user:${userId}:last-served`,
    attributedEvent: (eventId: string) => `${experiments}:attribution:event:${eventId}`,
    /** Experiments with counts; per experiment and clock hour: the counts by variant, one user's unit, the variant's users (HyperLogLog). */
    experiments: `${experiments}:experiments`,
    experimentHour: (experiment: string, hour: number) => `${experiments}:experiment:${experiment}:${hour}`,
    experimentUnit: (experiment: string, hour: number, userId: string) => `${experiments}:experiment:${experiment}:${hour}:user:${userId}`,
    experimentUsers: (experiment: string, hour: number, variant: string) => `${experiments}:experiment:${experiment}:${hour}:users:${variant}`,
  };
}
export type StoreKeys = ReturnType<typeof storeKeys>;
