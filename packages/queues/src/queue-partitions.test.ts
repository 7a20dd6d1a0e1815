import clusterSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { jobIdFor } from './job-ids.js';
import { bullPrefix, QueuePartitions } from './queue-partitions.js';

const SLOTS = 16_384;

describe('QueuePartitions', () => {
  it('is the one BullMQ prefix of before when there is one partition', () => {
    for (const keyPrefix of ['coldstart', '{coldstart}']) {
      const partitions = new QueuePartitions(keyPrefix);
      expect(partitions.prefixes).toEqual([bullPrefix(keyPrefix)]);
      expect(partitions.prefixOf(jobIdFor('expand-topics', 'e1'))).toBe(bullPrefix(keyPrefix));
    }
    expect(bullPrefix('{coldstart}')).toBe('{coldstart:bull}:bull');
  });

  it('gives each partition its own prefix: plain on one server, a hash tag of its own on a cluster', () => {
    expect(new QueuePartitions('coldstart', 3).prefixes).toEqual(['coldstart:bull', 'coldstart:p1:bull', 'coldstart:p2:bull']);
    const tagged = new QueuePartitions('{coldstart}', 3).prefixes;
    expect(tagged[0]).toBe('{coldstart:bull}:bull');
    for (const prefix of tagged.slice(1)) expect(prefix).toMatch(/^\{coldstart:bull:p\d+\.\d+\}:bull$/);
    expect(new Set(tagged.map((prefix) => clusterSlot(prefix))).size).toBe(3);
  });

  it("spaces the partitions' slots evenly from partition 0's, so P partitions on P evenly split shards land one per shard", () => {
    for (const count of [2, 3, 4, 6, 16]) {
      const prefixes = new QueuePartitions('{deployment-7}', count).prefixes;
      const first = clusterSlot(prefixes[0]!);
      prefixes.forEach((prefix, i) => expect(clusterSlot(prefix), `${count} partitions, partition ${i}`).toBe((first + Math.round((i * SLOTS) / count)) % SLOTS));
      // A cluster's slots split evenly over `count` shards, as redis-cli --cluster create does: one partition each.
      const shardOf = (slot: number) => Math.floor((slot * count) / SLOTS);
      expect(new Set(prefixes.map((prefix) => shardOf(clusterSlot(prefix)))).size).toBe(count);
    }
  });

  it('puts a job in the partition its id picks, the same every time, and spreads ids about evenly', () => {
    const partitions = new QueuePartitions('{coldstart}', 4);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) {
      const id = jobIdFor('recommend-user', `event-${i}`);
      const prefix = partitions.prefixOf(id);
      expect(new QueuePartitions('{coldstart}', 4).prefixOf(id)).toBe(prefix);
      counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...partitions.prefixes].sort());
    for (const n of counts.values()) expect(n).toBeGreaterThan(850);
  });

  it('refuses a count that is not a whole number of at least 1', () => {
    expect(() => new QueuePartitions('coldstart', 0)).toThrow(/at least 1/);
    expect(() => new QueuePartitions('coldstart', 1.5)).toThrow(/whole number/);
  });
});
