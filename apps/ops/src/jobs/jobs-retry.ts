import type { Job } from 'bullmq';
import type { QueueName } from '@coldstart/pipeline';
import { sleep } from '@coldstart/runtime';
import type { OpsConfig } from '../config.js';
import { JobQueues } from './jobs-queues.js';

export interface RetryOptions {
  /** Only jobs that failed within this long. */
  sinceMs?: number | undefined;
  /** At most this many failed jobs of the queue (their flows' other failed jobs come along). */
  max?: number | undefined;
  dryRun?: boolean | undefined;
  /** How long to wait for retried children to complete before retrying their parent. */
  waitMs: number;
}

export type RetryOutcome = 'retried' | 'would-retry' | 'not-retried';

export interface RetriedJob {
  queue: QueueName;
  jobId: string;
  name: string;
  /** `selected`: matched the command; `flow`: a failed child or parent in the same flow. */
  via: 'selected' | 'flow';
  failedReason: string;
  outcome: RetryOutcome;
  detail?: string;
}

export interface RetryReport {
  queue: QueueName;
  dryRun: boolean;
  selected: number;
  retried: number;
  /** Jobs not retried: a retry refused, or a child that failed again or did not finish in time. */
  failed: number;
  jobs: RetriedJob[];
}

interface PlanNode {
  queue: QueueName;
  job: Job;
  key: string;
  via: 'selected' | 'flow';
  children: PlanNode[];
  height: number;
  outcome?: RetryOutcome;
  detail?: string;
}

const keyOf = (queue: QueueName, job: Job) => `${queue}:${job.id ?? ''}`;

/**
 * Retries failed jobs, flow-aware. In a flow a child that fails for good fails its parent
 * (failParentOnFailure), and BullMQ's retry of that parent alone would run it without the
 * child's result. So for each selected job the whole failed part of its flow is retried, from
 * the bottom: the topmost failed ancestor and every failed job under it; children first, and a
 * parent only once all its children have completed (BullMQ keeps a retried child's result for
 * a parent that has already failed, but does not move that parent on by itself).
 */
export async function jobsRetry(config: OpsConfig, queueName: QueueName, options: RetryOptions): Promise<RetryReport> {
  const queues = new JobQueues(config);
  try {
    const cutoff = options.sinceMs === undefined ? 0 : Date.now() - options.sinceMs;
    let selected = (await queues.failed(queueName)).filter((job) => (job.finishedOn ?? job.timestamp) >= cutoff);
    if (options.max !== undefined) selected = selected.slice(0, options.max);
    const selectedKeys = new Set(selected.map((job) => keyOf(queueName, job)));

    // The topmost failed ancestor of each selected job, once each.
    const roots = new Map<string, { queue: QueueName; job: Job }>();
    for (const job of selected) {
      let current = { queue: queueName, job };
      for (;;) {
        const parent = await queues.parentOf(current.job);
        if (!parent || (await parent.job.getState()) !== 'failed') break;
        current = parent;
      }
      roots.set(keyOf(current.queue, current.job), current);
    }

    const planned = new Map<string, PlanNode>();
    const build = async (queue: QueueName, job: Job): Promise<PlanNode> => {
      const key = keyOf(queue, job);
      const node: PlanNode = { queue, job, key, via: selectedKeys.has(key) ? 'selected' : 'flow', children: [], height: 0 };
      planned.set(key, node);
      const { failed = [] } = await job.getDependencies();
      for (const childKey of failed) {
        const child = await queues.jobByKey(childKey);
        if (!child || planned.has(keyOf(child.queue, child.job)) || (await child.job.getState()) !== 'failed') continue;
        const childNode = await build(child.queue, child.job);
        node.children.push(childNode);
        node.height = Math.max(node.height, childNode.height + 1);
      }
      return node;
    };
    for (const root of roots.values()) {
      if (!planned.has(keyOf(root.queue, root.job))) await build(root.queue, root.job);
    }

    const nodes = [...planned.values()].sort((a, b) => a.height - b.height);
    if (options.dryRun) {
      for (const node of nodes) node.outcome = 'would-retry';
    } else {
      const deadline = Date.now() + options.waitMs;
      for (let height = 0; height <= (nodes.at(-1)?.height ?? 0); height += 1) {
        await Promise.all(nodes.filter((node) => node.height === height).map((node) => retryNode(node, deadline)));
      }
    }

    return {
      queue: queueName,
      dryRun: Boolean(options.dryRun),
      selected: selected.length,
      retried: nodes.filter((n) => n.outcome === 'retried').length,
      failed: nodes.filter((n) => n.outcome === 'not-retried').length,
      jobs: nodes.map((n) => ({
        queue: n.queue,
        jobId: n.job.id ?? '',
        name: n.job.name,
        via: n.via,
        failedReason: n.job.failedReason,
        outcome: n.outcome ?? 'not-retried',
        ...(n.detail ? { detail: n.detail } : {}),
      })),
    };
  } finally {
    await queues.close();
  }
}

/** Retries one job once its children (retried in an earlier wave) have completed. */
async function retryNode(node: PlanNode, deadline: number): Promise<void> {
  const blocked = node.children.find((child) => child.outcome !== 'retried');
  if (blocked) {
    node.outcome = 'not-retried';
    node.detail = `child ${blocked.key} was not retried`;
    return;
  }
  if (node.children.length > 0) {
    for (;;) {
      const counts = await node.job.getDependenciesCount({ unprocessed: true, failed: true });
      if ((counts.failed ?? 0) > 0) {
        node.outcome = 'not-retried';
        node.detail = 'a retried child failed again';
        return;
      }
      if ((counts.unprocessed ?? 0) === 0) break;
      if (Date.now() > deadline) {
        node.outcome = 'not-retried';
        node.detail = 'children still running when --wait ran out; run retry again once they completed';
        return;
      }
      await sleep(250);
    }
  }
  try {
    await node.job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    node.outcome = 'retried';
  } catch (error) {
    node.outcome = 'not-retried';
    node.detail = error instanceof Error ? error.message : String(error);
  }
}

export function renderRetry(report: RetryReport): string {
  const verb = report.dryRun ? 'would retry' : 'retried';
  const count = report.dryRun ? report.jobs.length : report.retried;
  const lines = [`${verb} ${count} job${count === 1 ? '' : 's'} (${report.selected} selected in ${report.queue}; flows' failed children and parents included)`];
  for (const job of report.jobs) {
    lines.push(`  ${job.outcome.padEnd(11)} ${`${job.queue}/${job.name}`.padEnd(24)} ${job.jobId}${job.detail ? `  (${job.detail})` : ''}`);
  }
  if (report.failed > 0) lines.push(`${report.failed} not retried`);
  return lines.join('\n');
}
