import { job, type PoolHandlers, type QueueSpec } from '@coldstart/queues';
import { AttributeInteractionData, AttributionResult } from './attribute/jobs.js';
import { EmbeddedItem, EmbeddedSignups, EmbedItemData } from './embed/jobs.js';
import { ExpandedSignups } from './expand/jobs.js';
import { FanoutItemData, FanoutItemOutcome, FanoutUserData, FanoutUserOutcome } from './fanout/jobs.js';
import { DeleteItemData, IndexOutcome, UpsertItemData, UpsertUserVectorsData, UserVectorOutcomes } from './index/jobs.js';
import { LearnInteractionsData, LearnResult } from './learn/jobs.js';
import { RecommendedSignups, RecommendOutcome, RefreshUserData } from './recommend/jobs.js';
import { SignupBatchData } from './signup/jobs.js';

/**
 * The job catalog: every queue, the jobs it carries (each stage's jobs.ts), their input and
 * result, and the queue's retry policy. Workers are typed against it (`QueueHandlers`), so a
 * job without a handler does not compile, and every job's data and every child result is
 * validated at the boundary. Which job follows which is graph.ts's business, not this file's.
 */
export const QUEUES = {
  expand: {
    name: 'expand',
    jobs: { 'expand-topics': job(SignupBatchData, ExpandedSignups) },
    policy: { attempts: 5, backoffMs: 1_000, timeoutMs: 60_000 },
  },
  embed: {
    name: 'embed',
    jobs: { 'embed-topics': job(SignupBatchData, EmbeddedSignups), 'embed-item': job(EmbedItemData, EmbeddedItem) },
    policy: { attempts: 5, backoffMs: 1_000, timeoutMs: 60_000 },
  },
  /** The index pool is the single writer of every log: the item and user-vector indexes', and the behaviour log. */
  index: {
    name: 'index',
    jobs: {
      'upsert-item': job(UpsertItemData, IndexOutcome),
      'delete-item': job(DeleteItemData, IndexOutcome),
      'upsert-user-vector': job(UpsertUserVectorsData, UserVectorOutcomes),
      'learn-interactions': job(LearnInteractionsData, LearnResult),
    },
    policy: { attempts: 8, backoffMs: 500, timeoutMs: 30_000 },
  },
  /** The recommend pool runs the recommend stage's jobs, the new-item fan-out's and attribution's. */
  recommend: {
    name: 'recommend',
    jobs: {
      'recommend-user': job(SignupBatchData, RecommendedSignups),
      'refresh-user': job(RefreshUserData, RecommendOutcome),
      'fanout-item': job(FanoutItemData, FanoutItemOutcome),
      'fanout-user': job(FanoutUserData, FanoutUserOutcome),
      'attribute-interaction': job(AttributeInteractionData, AttributionResult),
    },
    policy: { attempts: 5, backoffMs: 1_000, timeoutMs: 30_000 },
  },
} as const satisfies Record<string, QueueSpec>;

export type Queues = typeof QUEUES;
export type QueueName = keyof Queues;
export type JobName<Q extends QueueName> = keyof Queues[Q]['jobs'] & string;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

/** A stage's handlers for (some of) the jobs of a queue. */
export type QueueHandlers<Q extends QueueName> = PoolHandlers<Queues[Q]>;
