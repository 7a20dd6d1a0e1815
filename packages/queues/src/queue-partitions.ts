/// <reference path="./cluster-key-slot.d.ts" />
import { Queue } from 'bullmq';
import clusterSlot from 'cluster-key-slot';
import { SLOT_GROUPS, slotGroup, type RedisClient } from '@coldstart/config';
import { hashText } from '@coldstart/runtime';

const CLUSTER_SLOTS = 16_384;
/** A tag for a given slot is found in about 16 000 tries; this many would be a broken hash. */
const MAX_TAG_TRIES = 1 << 22;

/**
 * The pools' BullMQ queues in `count` partitions (QUEUE_PARTITIONS): each partition holds every
 * queue under a BullMQ prefix of its own, and each job, or each flow by its root job, lives in
 * the partition its job id hashes to. A flow adds jobs to several queues in one transaction and a
 * finishing child updates its parent, which Redis Cluster allows only within one slot, so a flow
 * never leaves its partition; the hops a stage takes outside a flow pick the partition of the job
 * they add, by its id, so adding the same job again reaches the same partition and is absorbed.
 * Every pool process runs a worker on each partition.
 *
 * On a cluster each partition's prefix is a hash tag. One partition keeps the queues' tag of a
 * deployment without partitions (`{coldstart:bull}`). With P > 1 the tags are chosen so their
 * slots lie evenly spaced after the data slot's (`{coldstart}`, the busiest slot: index-log's
 * keys.ts): partition i at 16 384·(i+1)/(P+1) slots after it. A cluster created with its slots
 * split evenly (`redis-cli --cluster create`, ElastiCache) over P+1 shards, or a multiple of
 * that, then holds the data slot and each partition on shards of their own. On one server the
 * partitions share its one core and gain nothing (the prefixes are plain: `coldstart:bull`,
 * `coldstart:p1:bull`, …).
 */
export class QueuePartitions {
  /** Each partition's BullMQ prefix, partition 0 first. */
  readonly prefixes: readonly string[];

  constructor(
    readonly keyPrefix: string,
    readonly count = 1,
  ) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`queue partitions must be a whole number of at least 1, not ${count}`);
    this.prefixes = Array.from({ length: count }, (_, partition) => partitionPrefix(keyPrefix, partition, count));
  }

  /** A deployment's partitions from its settings. */
  static of(settings: { COLDSTART_PREFIX: string; QUEUE_PARTITIONS: number }): QueuePartitions {
    return new QueuePartitions(settings.COLDSTART_PREFIX, settings.QUEUE_PARTITIONS);
  }

  /** The partition that holds a job (or a flow whose root job has this id). */
  partitionOf(jobId: string): number {
    return this.count === 1 ? 0 : hashText(jobId) % this.count;
  }

  /** The BullMQ prefix of that partition. */
  prefixOf(jobId: string): string {
    return this.prefixes[this.partitionOf(jobId)]!;
  }

  /** A queue in every partition, indexed by partition (the caller closes them). */
  queues(name: string, connection: RedisClient): Queue[] {
    return this.prefixes.map((prefix) => new Queue(name, { connection, prefix }));
  }
}

/**
 * The queues' BullMQ prefix with one partition (QUEUE_PARTITIONS=1, and partition 0 on one
 * server): `<prefix>:bull`. On a cluster every queue shares one slot of its own
 * (`{<prefix>:bull}:bull:<queue>:…`): a flow adds jobs to several queues in one transaction and a
 * finishing child updates its parent in another queue, which Redis Cluster allows only within
 * one slot; no script of ours joins these keys to the deployment's data, so they may live on
 * another shard.
 */
export function bullPrefix(keyPrefix: string): string {
  return `${slotGroup(keyPrefix, SLOT_GROUPS.queues)}:bull`;
}

/** Found tags, by prefix, partition and count: the search takes about 6 ms a partition, and every producer builds the same ones. */
const found = new Map<string, string>();

function partitionPrefix(keyPrefix: string, partition: number, count: number): string {
  const key = `${keyPrefix}\u0000${partition}\u0000${count}`;
  let prefix = found.get(key);
  if (prefix === undefined) found.set(key, (prefix = searchPrefix(keyPrefix, partition, count)));
  return prefix;
}

function searchPrefix(keyPrefix: string, partition: number, count: number): string {
  const first = bullPrefix(keyPrefix);
  const tag = /^\{(.+)\}$/.exec(keyPrefix);
  if (!tag) return partition === 0 ? first : `${keyPrefix}:p${partition}:bull`;
  if (count === 1) return first;
  const target = (clusterSlot(keyPrefix) + Math.round(((partition + 1) * CLUSTER_SLOTS) / (count + 1))) % CLUSTER_SLOTS;
  for (let n = 0; n < MAX_TAG_TRIES; n++) {
    const candidate = `{${tag[1]}:bull:p${partition}.${n}}:bull`;
    if (clusterSlot(candidate) === target) return candidate;
  }
  throw new Error(`no hash tag found for queue partition ${partition} in ${MAX_TAG_TRIES} tries`);
}
