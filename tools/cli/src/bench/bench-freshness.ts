import { createRedis } from '@coldstart/queues';
import { createSqsClient } from '@coldstart/aws';
import { IndexLog, ReplicaSet, type WalReplica } from '@coldstart/index-log';
import { percentile, sleep } from '@coldstart/runtime';
import type { CliConfig } from '../config.js';
import { chaosEvents } from '../workload/chaos-events.js';
import { startIsolatedConfig } from '../stack/isolated-stack.js';
import { publishPaced } from '../workload/paced-publisher.js';
import { stackUp } from '../stack/stack.js';

export interface FreshnessOptions {
  /** Items published first and waited for, untimed: they load the encoder and create the index. */
  warmupItems: number;
  /** Items timed, each from its SQS send to the moment a replica's search returns it. */
  items: number;
  /** Item events per second: a steady stream, so the figure is latency, not backlog. */
  ratePerSecond: number;
  timeoutSeconds: number;
  /** How often the replica reads the log: the resolution of every figure. */
  pollMs?: number;
}

export interface FreshnessReport {
  items: number;
  ratePerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  pollMs: number;
}

/**
 * Item event published on SQS → searchable on a replica, through the real pipeline: a stack
 * of its own (SQS emulator, Redis, ingest, embed and index pools as processes), and in this
 * process a read replica built from the same code the recommend pool runs (ReplicaSet over
 * the index's write-ahead log), polled every `pollMs`. An item counts as searchable once a
 * search with its own vector returns it.
 */
export async function measurePipelineFreshness(base: CliConfig, options: FreshnessOptions, say: (line: string) => void = () => {}): Promise<FreshnessReport> {
  const pollMs = options.pollMs ?? 5;
  const runId = Date.now().toString(36);
  const events = await chaosEvents(options.warmupItems + options.items, 0, runId, new Date().toISOString());
  const warmup = events.items.slice(0, options.warmupItems);
  const timed = events.items.slice(options.warmupItems);
  const stack = await startIsolatedConfig(base, 'freshness', {});
  const { config } = stack;
  const sqs = createSqsClient({ region: config.AWS_REGION, endpoint: config.SQS_ENDPOINT });
  const redis = createRedis(config.REDIS_URL, 'producer', undefined, { lazyConnect: true });
  let keepState = false;
  try {
    const { queues } = await stackUp(config, { apps: ['ingest', 'worker-embed', 'worker-index'] });
    const itemQueue = queues[1];
    if (!itemQueue) throw new Error('the stack returned no item-events queue');
    await redis.connect();
    const indexLog = new IndexLog(redis, config.COLDSTART_PREFIX);
    const replicas = new ReplicaSet(indexLog);
    // The index is named by the encoder's full id (model and pooling version, e.g.
    // `wink-glove-100d-sif-v1`), which the embed pool reports with the first vector.
    let replica: WalReplica | undefined;
    const catchUp = async () => {
      if (!replica) {
        const names = await indexLog.indexNames();
        if (names.length > 1) throw new Error(`expected one index in a fresh stack, found ${names.join(', ')}`);
        if (names[0] !== undefined) replica = replicas.forEncoder(names[0]);
      }
      await replica?.catchUp();
    };
    const searchable = (itemId: string) => {
      const index = replica?.index;
      const vector = index?.vector(itemId);
      return vector !== undefined && index !== undefined && index.search(vector, 10).some((hit) => hit.id === itemId);
    };
    const waitFor = async (itemIds: readonly string[], seenAt: Map<string, number>) => {
      const deadline = Date.now() + options.timeoutSeconds * 1000;
      let pending = itemIds.filter((id) => !seenAt.has(id));
      while (pending.length > 0) {
        if (Date.now() > deadline) {
          keepState = true;
          throw new Error(`${pending.length} of ${itemIds.length} items never became searchable; logs in ${config.COLDSTART_STATE_DIR}/logs`);
        }
        await sleep(pollMs);
        await catchUp();
        const now = Date.now();
        pending = pending.filter((id) => {
          if (!searchable(id)) return true;
          seenAt.set(id, now);
          return false;
        });
      }
    };

    say(`freshness: ${warmup.length} warm-up items (not timed)`);
    await publishPaced(sqs, itemQueue.url, warmup.map((e) => JSON.stringify(e)), undefined);
    await waitFor(warmup.map((e) => e.itemId), new Map());

    say(`freshness: ${timed.length} items at ${options.ratePerSecond}/s, each timed from its SQS send to a replica search that returns it`);
    const seenAt = new Map<string, number>();
    const publishing = publishPaced(sqs, itemQueue.url, timed.map((e) => JSON.stringify(e)), options.ratePerSecond);
    await waitFor(timed.map((e) => e.itemId), seenAt);
    const sentAt = await publishing;
    const latencies = timed.map((e, i) => (seenAt.get(e.itemId) as number) - (sentAt[i] as number)).sort((a, b) => a - b);
    return {
      items: timed.length,
      ratePerSecond: options.ratePerSecond,
      p50Ms: percentile(latencies, 50) ?? 0,
      p99Ms: percentile(latencies, 99) ?? 0,
      maxMs: latencies.at(-1) ?? 0,
      pollMs,
    };
  } finally {
    sqs.destroy();
    redis.disconnect();
    await stack.down({ keepState });
  }
}
