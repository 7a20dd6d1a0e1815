import type { FlowJob } from 'bullmq';
import type { RedisClient } from '@coldstart/config';
import { canonicalDateTime, type ColdstartEvent } from '@coldstart/events';
import { itemEmbeddingText } from '@coldstart/embeddings';
import { createFlowProducer, createJobProducer, jobOptions, type AddJobOptions, type JobProducer, type PartitionedFlows, type QueuePartitions } from '@coldstart/queues';
import { QUEUES, type JobName, type QueueName, type Queues } from './catalog.js';
import type { FanoutItemData, FanoutUserData } from './fanout/jobs.js';
import type { UpsertUserVectorsData } from './index/jobs.js';
import { MAX_LEARNED_PER_JOB, type LearnInteractionsData, type LearnedInteraction } from './learn/jobs.js';
import type { RefreshUserData } from './recommend/jobs.js';
import { signupBatchKey, type Signup } from './signup/jobs.js';

/**
 * What every event causes: the whole event graph, in one place. Ingest turns an SQS event into
 * a BullMQ flow (children run first, a parent reads its children's results), and the signups of
 * one SQS receive into one flow for all of them (each job carries up to 10 signups:
 * signup/jobs.ts); a stage that starts work on another queue does so only through `createHops`,
 * below.
 *
 *   user.signup(s)   → expand-topics → embed-topics ─┬→ recommend-user → upsert-user-vector
 *                    → learn-interactions (seeds)   ─┘
 *                    (a signup that fails in a batch → a flow of its own: settle-each.ts)
 *   user.interaction → learn-interactions ─┬→ refresh-user → upsert-user-vector
 *                    → attribute-interaction ─┘
 *   interactions import → learn-interactions (batches of history)
 *   item.upserted    → embed-item → upsert-item → fanout-item → fanout-user (per close, active user)
 *   item.deleted     → delete-item
 *
 * `HOPS` says the same as data; graph.test.ts fails when a handler queues a job this file does
 * not declare, or when a job of the catalog is reached by no hop.
 */
export type JobRef = { [Q in QueueName]: `${Q}/${JobName<Q>}` }[QueueName];
export type EventType = ColdstartEvent['type'];
/** Where work starts other than an SQS event: `coldstart interactions import`. */
export type ToolSource = 'interactions import';

export interface Hop {
  from: EventType | ToolSource | JobRef;
  to: JobRef;
  /** When the hop is taken. */
  when: string;
}

export const HOPS: readonly Hop[] = [
  { from: 'user.signup', to: 'expand/expand-topics', when: 'always: the signup flow expand → embed → recommend, one per SQS receive of signups' },
  { from: 'expand/expand-topics', to: 'embed/embed-topics', when: 'after it, in the flow (encodes its topics)' },
  { from: 'user.signup', to: 'index/learn-interactions', when: 'the signups name seed items: they count as the users’ interactions' },
  { from: 'expand/expand-topics', to: 'expand/expand-topics', when: 'a signup failed in a batch whose others did not: it goes on in a flow of its own' },
  { from: 'embed/embed-topics', to: 'expand/expand-topics', when: 'a signup failed in a batch whose others did not: it goes on in a flow of its own' },
  { from: 'recommend/recommend-user', to: 'expand/expand-topics', when: 'a signup failed in a batch whose others did not: it goes on in a flow of its own' },
  { from: 'embed/embed-topics', to: 'recommend/recommend-user', when: 'after it, in the flow (ranks and stores the list)' },
  { from: 'index/learn-interactions', to: 'recommend/recommend-user', when: 'after it, in the signup flow (the seeds are in the behaviour model first)' },
  { from: 'recommend/recommend-user', to: 'index/upsert-user-vector', when: 'lists were stored and the fan-out is on (FANOUT_USERS > 0): one job for the batch' },
  { from: 'index/upsert-user-vector', to: 'index/upsert-user-vector', when: 'a user’s vector failed in a batch whose others did not: a job of its own' },
  { from: 'user.interaction', to: 'index/learn-interactions', when: 'always: the behaviour model learns it (a like when rated >= BEHAVIOUR_POSITIVE_RATING or unrated)' },
  { from: 'index/learn-interactions', to: 'recommend/refresh-user', when: 'after it, in the interaction flow: marks the item seen and rebuilds the list' },
  { from: 'user.interaction', to: 'recommend/attribute-interaction', when: 'always: credited to the served list it came from, if any (its recommendationId, or the user’s newest served list)' },
  { from: 'recommend/attribute-interaction', to: 'recommend/refresh-user', when: 'after it, in the interaction flow' },
  { from: 'interactions import', to: 'index/learn-interactions', when: 'a batch of up to 1,000 rows of history' },
  { from: 'recommend/refresh-user', to: 'index/upsert-user-vector', when: 'a list was stored and the fan-out is on' },
  { from: 'item.upserted', to: 'embed/embed-item', when: 'always: the item flow embed → index' },
  { from: 'embed/embed-item', to: 'index/upsert-item', when: 'after it, in the flow (the single writer logs the vector)' },
  { from: 'index/upsert-item', to: 'recommend/fanout-item', when: 'the upsert was applied (not stale)' },
  { from: 'index/upsert-item', to: 'recommend/refresh-user', when: 'users were served before this seed item of theirs was indexed' },
  { from: 'recommend/fanout-item', to: 'recommend/fanout-user', when: 'per close, recently active user, at most once per FANOUT_WINDOW_MS' },
  { from: 'item.deleted', to: 'index/delete-item', when: 'always' },
];

function node<Q extends QueueName>(queueName: Q, name: JobName<Q>, eventId: string, data: object, children?: FlowJob[]): FlowJob {
  // A child that fails for good fails its parent too, so the event shows up as failed
  // instead of leaving the parent waiting for children forever.
  const opts = { ...jobOptions(QUEUES[queueName], name, eventId), failParentOnFailure: true };
  return { queueName, name, data, opts, ...(children ? { children } : {}) };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** A learn-interactions node for one event's (or one signup batch's) interactions. */
function learnNode(eventId: string, userId: string | undefined, interactions: LearnedInteraction[]): FlowJob {
  return node('index', 'learn-interactions', eventId, { eventId, ...(userId ? { userId } : {}), interactions });
}

/** A signup event as the signup flow's jobs carry it. */
export function signupOf(event: Extract<ColdstartEvent, { type: 'user.signup' }>): Signup {
  return {
    eventId: event.eventId,
    // Stages order mutations by occurredAt; one canonical UTC form keeps that comparison exact.
    occurredAt: canonicalDateTime(event.occurredAt),
    userId: event.userId,
    categories: event.interests.categories ?? [],
    seeds: (event.interests.items ?? []).map((seed) => ({ itemId: seed.itemId, ...(seed.rating != null ? { rating: seed.rating } : {}) })),
    ...(event.locale ? { locale: event.locale } : {}),
  };
}

/** The flow that carries signups through the pools (one job per stage for all of them). */
export function flowForSignups(signups: Signup[]): FlowJob {
  const key = signupBatchKey(signups);
  const data = { signups };
  const expand = node('expand', 'expand-topics', key, data);
  const embed = node('embed', 'embed-topics', key, data, [expand]);
  const learned = signups.flatMap((signup) =>
    signup.seeds.map((seed) => ({
      eventId: `${signup.eventId}:${seed.itemId}`,
      userId: signup.userId,
      itemId: seed.itemId,
      ...(seed.rating != null ? { rating: seed.rating } : {}),
      occurredAt: signup.occurredAt,
    })),
  );
  const [only] = signups;
  const userId = signups.length === 1 ? only?.userId : undefined;
  // A learn job takes up to MAX_LEARNED_PER_JOB interactions; a batch's seeds can be more.
  const learn = chunks(learned, MAX_LEARNED_PER_JOB).map((part, i) => learnNode(i === 0 ? key : `${key}#${i}`, userId, part));
  return node('recommend', 'recommend-user', key, data, [embed, ...learn]);
}

/** The flow that carries one event through the pools (the first hops of `HOPS`). */
export function flowForEvent(event: ColdstartEvent): FlowJob {
  // Stages order mutations by occurredAt; one canonical UTC form keeps that comparison exact.
  const ref = { eventId: event.eventId, occurredAt: canonicalDateTime(event.occurredAt) };
  switch (event.type) {
    case 'user.signup':
      return flowForSignups([signupOf(event)]);
    case 'user.interaction': {
      const learn = learnNode(event.eventId, event.userId, [
        { eventId: event.eventId, userId: event.userId, itemId: event.itemId, ...(event.rating != null ? { rating: event.rating } : {}), occurredAt: ref.occurredAt },
      ]);
      const attribute = node('recommend', 'attribute-interaction', event.eventId, {
        eventId: event.eventId,
        userId: event.userId,
        itemId: event.itemId,
        ...(event.rating != null ? { rating: event.rating } : {}),
        ...(event.recommendationId != null ? { recommendationId: event.recommendationId } : {}),
      });
      // Counting the outcome must never hold up the user's list: if attribution fails for good
      // (it shows among the failed jobs), the list is rebuilt all the same.
      attribute.opts = { ...attribute.opts, failParentOnFailure: false, ignoreDependencyOnFailure: true };
      return node('recommend', 'refresh-user', event.eventId, { ...ref, userId: event.userId, itemId: event.itemId }, [learn, attribute]);
    }
    case 'item.upserted': {
      const embed = node('embed', 'embed-item', event.eventId, { ...ref, itemId: event.itemId, text: itemEmbeddingText(event) });
      const item = {
        itemId: event.itemId,
        title: event.title.trim(),
        authors: event.authors ?? [],
        categories: event.categories ?? [],
      };
      return node('index', 'upsert-item', event.eventId, { ...ref, item }, [embed]);
    }
    case 'item.deleted':
      return node('index', 'delete-item', event.eventId, { ...ref, itemId: event.itemId });
  }
}

/** The hops a stage takes on its own, outside an event's flow: the only way a handler queues a job. */
export interface Hops {
  /** recommend-user / refresh-user → upsert-user-vector, keyed by the event or batch (a retried job re-adds the same one). */
  recordUserVectors(data: UpsertUserVectorsData): Promise<void>;
  /** A signup that failed in a batch whose others did not → a signup flow of its own, keyed by its event. */
  signupAlone(signup: Signup): Promise<void>;
  /** upsert-item → fanout-item, keyed by the event. */
  fanOutItem(data: FanoutItemData): Promise<void>;
  /** fanout-item → fanout-user; `key` names the (user, window), so repeats within a window are absorbed. */
  fanOutToUser(data: FanoutUserData, options: AddJobOptions & { delayMs: number }): Promise<void>;
  /** upsert-item → refresh-user for a user who was served before this seed item of theirs was indexed. */
  seedArrived(data: RefreshUserData): Promise<void>;
  /** interactions import → learn-interactions, keyed by the batch (`data.eventId`), so a re-sent batch is absorbed while kept. */
  learnHistory(data: LearnInteractionsData): Promise<void>;
}

export function createHops(producer: Pick<JobProducer<Queues>, 'add'>, flows: Pick<PartitionedFlows, 'add'>): Hops {
  return {
    recordUserVectors: (data) => producer.add('index', 'upsert-user-vector', data, { key: data.eventId }),
    signupAlone: async (signup) => {
      await flows.add(flowForSignups([signup]));
    },
    fanOutItem: (data) => producer.add('recommend', 'fanout-item', data, { key: data.eventId }),
    fanOutToUser: (data, options) => producer.add('recommend', 'fanout-user', data, options),
    seedArrived: (data) => producer.add('recommend', 'refresh-user', data, { key: data.eventId }),
    learnHistory: (data) => producer.add('index', 'learn-interactions', data, { key: data.eventId }),
  };
}

/** A producer for the pipeline's queues, over a pool's own connection. */
export function createPipelineProducer(connection: RedisClient, partitions: QueuePartitions): JobProducer<Queues> {
  return createJobProducer(QUEUES, connection, partitions);
}

/** A pool's hops, over its own connection. */
export function pipelineHops(connection: RedisClient, partitions: QueuePartitions): Hops {
  return createHops(createPipelineProducer(connection, partitions), createPipelineFlows(connection, partitions));
}

/** What adds the pipeline's flows (ingest, a signup split off a batch), over a pool's own connection. */
export function createPipelineFlows(connection: RedisClient, partitions: QueuePartitions): PartitionedFlows {
  return createFlowProducer(connection, partitions);
}
