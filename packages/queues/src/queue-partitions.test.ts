import clusterSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { jobIdFor } from './job-ids.js';
import { bullPrefix, QueuePartitions } from './queue-partitions.js';

const SLOTS = 16_384;

/** The shard holding a slot when `shards` split the slots as redis-cli --cluster create does (contiguous ranges of 16 384/shards, the first ones rounded up). */
function shardOfSlot(slot: number, shards: number): number {
  let end = 0;
  for (let shard = 0; shard < shards; shard++) {
    end += Math.floor(SLOTS / shards) + (shard < SLOTS % shards ? 1 : 0);
    if (slot < end) return shard;
  }
  throw new Error(`slot ${slot} out of range`);
}

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
    for (const [i, prefix] of tagged.entries()) expect(prefix).toMatch(new RegExp(`^\\{coldstart:bull:p${i}\\.\\d+\\}:bull$`));
    expect(new Set(tagged.map((prefix) => clusterSlot(prefix))).size).toBe(3);
  });

  it("spaces the partitions' slots evenly after the data slot's, so on P+1 evenly split shards the data and each partition have one of their own", () => {
    for (const count of [2, 3, 4, 7, 15]) {
      for (const keyPrefix of ['{coldstart}', '{deployment-7}', '{a}']) {
        const data = clusterSlot(keyPrefix);
        const slots = new QueuePartitions(keyPrefix, count).prefixes.map((prefix) => clusterSlot(prefix));
        slots.forEach((slot, i) => expect(slot, `${keyPrefix}, ${count} partitions, partition ${i}`).toBe((data + Math.round(((i + 1) * SLOTS) / (count + 1))) % SLOTS));
        // The cluster's slots split over count + 1 shards as redis-cli --cluster create splits them.
        const shardOf = (slot: number) => shardOfSlot(slot, count + 1);
        expect(new Set([data, ...slots].map(shardOf)).size, `${keyPrefix}, ${count} partitions`).toBe(count + 1);
      }
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
