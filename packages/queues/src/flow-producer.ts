import { FlowProducer, type FlowJob } from 'bullmq';
import type { RedisClient } from '@coldstart/config';
import type { QueuePartitions } from './queue-partitions.js';

/** Adds flows, each to the queue partition its root job's id picks (queue-partitions.ts). */
export interface PartitionedFlows {
  add(flow: FlowJob): Promise<void>;
  /** Adds flows with one transaction per partition: a transaction on a cluster stays in one slot. */
  addBulk(flows: readonly FlowJob[]): Promise<void>;
  /** Closes the producers (not the shared connection). Idempotent. */
  close(): Promise<void>;
}

export function createFlowProducer(connection: RedisClient, partitions: QueuePartitions): PartitionedFlows {
  const producers = partitions.prefixes.map((prefix) => new FlowProducer({ connection, prefix }));
  const producerOf = (flow: FlowJob) => {
    const id = flow.opts?.jobId;
    if (!id) throw new Error(`a flow's root job (${flow.queueName}/${flow.name}) needs a job id to pick its queue partition`);
    return producers[partitions.partitionOf(id)]!;
  };
  return {
    add: async (flow) => {
      await producerOf(flow).add(flow);
    },
    addBulk: async (flows) => {
      const byProducer = new Map<FlowProducer, FlowJob[]>();
      for (const flow of flows) {
        const producer = producerOf(flow);
        const group = byProducer.get(producer);
        if (group) group.push(flow);
        else byProducer.set(producer, [flow]);
      }
      await Promise.all([...byProducer].map(([producer, group]) => producer.addBulk(group)));
    },
    close: async () => {
      await Promise.all(producers.map((producer) => producer.close()));
    },
  };
}
