import type { FlowJob, JobsOptions } from 'bullmq';
import { canonicalDateTime, type ColdstartEvent, type ItemUpserted } from '@coldstart/events';
import { QUEUE_POLICIES, type JobName, type QueueName } from './job-catalog.js';
import { jobIdFor } from './job-ids.js';

/** Completed jobs stay an hour (re-added duplicates are absorbed meanwhile); failed ones two weeks, for operators. */
const RETENTION = { removeOnComplete: { age: 3_600 }, removeOnFail: { age: 14 * 86_400 } } as const;

export function jobOptions(queue: QueueName, jobName: string, eventId: string): JobsOptions {
  const policy = QUEUE_POLICIES[queue];
  return {
    jobId: jobIdFor(jobName, eventId),
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    ...RETENTION,
  };
}

function node<Q extends QueueName>(
  queueName: Q,
  name: JobName<Q>,
  eventId: string,
  data: object,
  children?: FlowJob[],
): FlowJob {
  // A child that fails for good fails its parent too, so the event shows up as failed
  // instead of leaving the parent waiting for children forever.
  const opts = { ...jobOptions(queueName, name, eventId), failParentOnFailure: true };
  return { queueName, name, data, opts, ...(children ? { children } : {}) };
}

/** The text an item is embedded from: what a reader sees of it, most telling first. */
export function itemEmbeddingText(item: Pick<ItemUpserted, 'title' | 'authors' | 'categories' | 'description'>): string {
  const parts = [item.title.trim()];
  if (item.authors?.length) parts.push(`by ${item.authors.join(', ')}`);
  if (item.categories?.length) parts.push(item.categories.join(', '));
  if (item.description?.trim()) parts.push(item.description.trim());
  return parts.join('. ');
}

/**
 * The flow that carries one event through the pools. Children run first; a parent reads its
 * children's results. user.signup: expand → embed → recommend. item.upserted: embed → index.
 */
export function flowForEvent(event: ColdstartEvent): FlowJob {
  // Stages order mutations by occurredAt; one canonical UTC form keeps that comparison exact.
  const ref = { eventId: event.eventId, occurredAt: canonicalDateTime(event.occurredAt) };
  switch (event.type) {
    case 'user.signup': {
      const seedItemIds = (event.interests.items ?? []).map((item) => item.itemId);
      const expand = node('expand', 'expand-topics', event.eventId, {
        ...ref,
        userId: event.userId,
        categories: event.interests.categories ?? [],
        seedItemIds,
        ...(event.locale ? { locale: event.locale } : {}),
      });
      const embed = node('embed', 'embed-topics', event.eventId, { ...ref, userId: event.userId }, [expand]);
      return node('recommend', 'recommend-user', event.eventId, { ...ref, userId: event.userId, seedItemIds }, [embed]);
    }
    case 'user.interaction':
      return node('recommend', 'refresh-user', event.eventId, { ...ref, userId: event.userId, itemId: event.itemId });
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
